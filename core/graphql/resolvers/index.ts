import type { HandoffEventKind } from '../../runtime/handoff-events.ts';
import type { ConversationStatus } from '../../runtime/types.ts';
import { IdentityMutation, IdentityQuery } from './identity.ts';
import { Mutation } from './mutation.ts';
import { OperatorQuery, OperatorSubscription } from './operators.ts';
import { Conversation, Query } from './query.ts';
import { Subscription } from './subscription.ts';

export const resolvers = {
  Query: { ...Query, ...IdentityQuery, ...OperatorQuery },
  Mutation: { ...Mutation, ...IdentityMutation },
  Subscription: { ...Subscription, ...OperatorSubscription },
  Conversation,
  ConversationStatus: {
    IDLE: 'idle',
    AWAITING_INPUT: 'awaiting_input',
    PROCESSING: 'processing',
    HANDOFF: 'handoff',
  } satisfies { [S in ConversationStatus as Uppercase<S>]: S },
  MessageDirection: { IN: 'in', OUT: 'out' },
  HandoffEventKind: {
    STARTED: 'started',
    ENDED: 'ended',
    USER_MESSAGE: 'user_message',
    AGENT_MESSAGE: 'agent_message',
  } satisfies { [K in HandoffEventKind as Uppercase<K>]: K },
};
