import { randomUUID } from 'node:crypto';
import { issueConversationToken } from '../../auth/conversation-token.ts';
import { hasControlCharacters } from '../../limits/message-text.ts';
import type { TurnResult } from '../../runtime/types.ts';
import { browserConversationId, type InboundMessage, splitConversationId } from '../../types.ts';
import { assertAdmin, assertCanWrite } from '../auth.ts';
import type { GraphqlContext } from '../context.ts';
import { badInput, notFound } from '../errors.ts';
import { replyObject } from '../mappers.ts';
import { withinRateLimit } from '../rate-limited.ts';

export const WEB_CHANNEL = 'web';
const MAX_TEXT = 4096;
const MAX_ACTION = 256;
const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_.:-]{1,100}$/;

interface SendMessageArgs {
  conversationId: string;
  text?: string | null;
  action?: string | null;
  clientMessageId?: string | null;
}

/**
 * The inbound message id (the runtime's dedup key is `channel:id`). A client-chosen id is scoped to
 * its conversation, so that one client can never hit another conversation's stored answer.
 */
export function inboundMessageId(address: string, clientMessageId?: string | null): string {
  return clientMessageId ? `${address}.${clientMessageId}` : randomUUID();
}

function validate(args: SendMessageArgs): { text?: string; action?: string } {
  const text = args.text?.trim() || undefined;
  const action = args.action?.trim() || undefined;
  if ((text === undefined) === (action === undefined)) throw badInput('send exactly one of text and action');
  if (text && text.length > MAX_TEXT) throw badInput(`text exceeds ${MAX_TEXT} characters`, 'text');
  if (text && hasControlCharacters(text)) throw badInput('text may not contain control characters', 'text');
  if (action && action.length > MAX_ACTION) throw badInput(`action exceeds ${MAX_ACTION} characters`, 'action');
  if (args.clientMessageId != null && !CLIENT_MESSAGE_ID.test(args.clientMessageId)) {
    throw badInput('clientMessageId must be 1-100 characters of A-Z a-z 0-9 _ . : -', 'clientMessageId');
  }
  return { text, action };
}

/**
 * An operator's action on a conversation (the caller checked it is the admin): the conversation must
 * exist (NOT_FOUND, as the admin REST API); the runtime refuses one that is not handed off (CONFLICT).
 */
async function agentAction(ctx: GraphqlContext, conversationId: string, act: () => Promise<TurnResult>) {
  if (!(await ctx.services.runtime.getConversation(conversationId))) {
    throw notFound(`conversation ${conversationId} not found`);
  }
  const turn = await act();
  const at = new Date().toISOString();
  return {
    conversationId: turn.conversationId,
    replies: turn.replies.map((reply) => replyObject(reply, at)),
    state: turn.state,
    status: turn.status,
  };
}

export const Mutation = {
  async startConversation(_root: unknown, _args: unknown, ctx: GraphqlContext) {
    const { limits } = ctx.services;
    if (limits) await withinRateLimit(() => limits.rate.address(ctx.clientAddress));
    // In the browser namespace: no REST `user_id` can name it (core/types.ts).
    const conversationId = browserConversationId();
    return { conversationId, token: issueConversationToken(ctx.services.config.sessionSecret, conversationId) };
  },

  async sendMessage(_root: unknown, args: SendMessageArgs, ctx: GraphqlContext) {
    assertCanWrite(ctx.principal, args.conversationId);
    const { channel, address } = splitConversationId(args.conversationId);
    if (channel !== WEB_CHANNEL || !address) throw badInput('not a web conversation', 'conversationId');
    const { text, action } = validate(args);
    const { limits } = ctx.services;
    // Counted only for new work: a retried clientMessageId gets its stored answer whatever the budget.
    const admit = limits
      ? () =>
          withinRateLimit(async () => {
            await limits.rate.address(ctx.clientAddress);
            await limits.rate.conversation(args.conversationId);
          })
      : undefined;
    const message: InboundMessage = {
      id: inboundMessageId(address, args.clientMessageId),
      channel: WEB_CHANNEL,
      conversationId: args.conversationId,
      user: { id: address },
      receivedAt: new Date().toISOString(),
      ...(text !== undefined ? { text } : { action }),
    };
    const turn = await ctx.services.runtime.receive(message, admit ? { admit } : {});
    const at = new Date().toISOString();
    return {
      conversationId: turn.conversationId,
      messageId: message.id,
      replies: turn.replies.map((reply) => replyObject(reply, at)),
      state: turn.state,
      status: turn.status,
      duplicate: turn.duplicate,
    };
  },

  async replyAsAgent(_root: unknown, args: { conversationId: string; text: string }, ctx: GraphqlContext) {
    assertAdmin(ctx.principal, Boolean(ctx.services.config.adminToken));
    const text = args.text.trim();
    if (!text) throw badInput('text is required', 'text');
    if (text.length > MAX_TEXT) throw badInput(`text exceeds ${MAX_TEXT} characters`, 'text');
    return agentAction(ctx, args.conversationId, () => ctx.services.runtime.agentReply(args.conversationId, text));
  },

  async releaseHandoff(_root: unknown, args: { conversationId: string }, ctx: GraphqlContext) {
    assertAdmin(ctx.principal, Boolean(ctx.services.config.adminToken));
    return agentAction(ctx, args.conversationId, () => ctx.services.runtime.releaseHandoff(args.conversationId));
  },
};
