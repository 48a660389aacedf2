import type { ConversationStatus } from '../../runtime/types.ts';
import { assertAdmin, assertCanRead } from '../auth.ts';
import type { GraphqlContext } from '../context.ts';
import { badInput } from '../errors.ts';
import { type ConversationObject, conversationObject, messageObject } from '../mappers.ts';

const MAX_PAGE = 100;
const MAX_MESSAGES = 200;
/** A `status` filter looks at this many conversations at most per call (see schema.graphql). */
export const MAX_SCANNED = 500;
/** Conversations read at once while filtering. */
const SCAN_CHUNK = 100;

interface ConversationsArgs {
  offset: number;
  limit: number;
  status?: ConversationStatus | null;
}

interface Page {
  total: number;
  items: ConversationObject[];
  nextOffset: number | null;
}

/**
 * The conversations in `status`, from `offset` on, most recent first: the store only lists ids, so
 * views are read chunk by chunk until `limit` match or `MAX_SCANNED` were read. `nextOffset` follows
 * the last conversation looked at.
 */
async function filteredPage(ctx: GraphqlContext, args: ConversationsArgs, status: ConversationStatus): Promise<Page> {
  const { store, runtime } = ctx.services;
  const items: ConversationObject[] = [];
  let cursor = args.offset;
  let total = 0;
  while (items.length < args.limit && cursor - args.offset < MAX_SCANNED) {
    const size = Math.min(SCAN_CHUNK, args.offset + MAX_SCANNED - cursor);
    const page = await store.listConversations(cursor, size);
    total = page.total;
    const views = await Promise.all(page.ids.map((id) => runtime.getConversation(id)));
    for (const view of views) {
      cursor += 1;
      if (view?.status !== status) continue;
      items.push(conversationObject(view));
      if (items.length === args.limit) break;
    }
    if (page.ids.length < size) break;
  }
  return { total, items, nextOffset: cursor < total ? cursor : null };
}

async function plainPage(ctx: GraphqlContext, args: ConversationsArgs): Promise<Page> {
  const { total, ids } = await ctx.services.store.listConversations(args.offset, args.limit);
  const views = await Promise.all(ids.map((id) => ctx.services.runtime.getConversation(id)));
  const next = args.offset + ids.length;
  return {
    total,
    items: views.flatMap((view) => (view ? [conversationObject(view)] : [])),
    nextOffset: ids.length > 0 && next < total ? next : null,
  };
}

export const Query = {
  async conversation(_root: unknown, args: { id: string }, ctx: GraphqlContext) {
    assertCanRead(ctx.principal, args.id);
    const view = await ctx.services.runtime.getConversation(args.id);
    return view ? conversationObject(view) : null;
  },

  async conversations(_root: unknown, args: ConversationsArgs, ctx: GraphqlContext) {
    assertAdmin(ctx.principal, Boolean(ctx.services.config.adminToken));
    if (!Number.isInteger(args.offset) || args.offset < 0) throw badInput('offset must be >= 0', 'offset');
    if (args.limit < 1 || args.limit > MAX_PAGE) throw badInput(`limit must be between 1 and ${MAX_PAGE}`, 'limit');
    const page = args.status ? await filteredPage(ctx, args, args.status) : await plainPage(ctx, args);
    return { ...page, offset: args.offset, limit: args.limit };
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
