import { Mutation } from './mutation.ts';
import { Conversation, Query } from './query.ts';
import { Subscription } from './subscription.ts';

export const resolvers = {
  Query,
  Mutation,
  Subscription,
  Conversation,
  ConversationStatus: { IDLE: 'idle', AWAITING_INPUT: 'awaiting_input', PROCESSING: 'processing' },
  MessageDirection: { IN: 'in', OUT: 'out' },
};
