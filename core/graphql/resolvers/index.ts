import type { ConversationStatus } from '../../runtime/types.ts';
import { IdentityMutation, IdentityQuery } from './identity.ts';
import { Mutation } from './mutation.ts';
import { Conversation, Query } from './query.ts';
import { Subscription } from './subscription.ts';

export const resolvers = {
  Query: { ...Query, ...IdentityQuery },
  Mutation: { ...Mutation, ...IdentityMutation },
  Subscription,
  Conversation,
  ConversationStatus: {
    IDLE: 'idle',
    AWAITING_INPUT: 'awaiting_input',
    PROCESSING: 'processing',
    HANDOFF: 'handoff',
  } satisfies { [S in ConversationStatus as Uppercase<S>]: S },
  MessageDirection: { IN: 'in', OUT: 'out' },
};
