import { assertAdmin, assertCanRead } from '../auth.ts';
import type { GraphqlContext } from '../context.ts';
import { badInput } from '../errors.ts';
import { type ConversationObject, conversationObject, messageObject } from '../mappers.ts';

const MAX_PAGE = 100;
const MAX_MESSAGES = 200;

export const Query = {
  async conversation(_root: unknown, args: { id: string }, ctx: GraphqlContext) {
    assertCanRead(ctx.principal, args.id);
    const view = await ctx.services.runtime.getConversation(args.id);
    return view ? conversationObject(view) : null;
  },

  async conversations(_root: unknown, args: { offset: number; limit: number }, ctx: GraphqlContext) {
    assertAdmin(ctx.principal, Boolean(ctx.services.config.adminToken));
    if (!Number.isInteger(args.offset) || args.offset < 0) throw badInput('offset must be >= 0', 'offset');
    if (args.limit < 1 || args.limit > MAX_PAGE) throw badInput(`limit must be between 1 and ${MAX_PAGE}`, 'limit');
    const { total, ids } = await ctx.services.store.listConversations(args.offset, args.limit);
    const views = await Promise.all(ids.map((id) => ctx.services.runtime.getConversation(id)));
    return {
      total,
      offset: args.offset,
      limit: args.limit,
      items: views.flatMap((view) => (view ? [conversationObject(view)] : [])),
    };
  },
};

export const Conversation = {
  async messages(conversation: ConversationObject, args: { last: number }, ctx: GraphqlContext) {
    const max = Math.min(MAX_MESSAGES, ctx.services.config.transcriptLimit);
    if (args.last < 1 || args.last > max) throw badInput(`last must be between 1 and ${max}`, 'last');
    const entries = await ctx.services.runtime.transcript(conversation.id, args.last);
    return entries.slice(-args.last).map(messageObject);
  },
};
