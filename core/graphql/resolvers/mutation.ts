import { agentLabelOf } from '../../admin/agent-label.ts';
import { issueConversationToken } from '../../auth/conversation-token.ts';
import { ValidationError } from '../../errors.ts';
import type { BrowserMessageInput } from '../../plugin.ts';
import type { TurnResult } from '../../runtime/types.ts';
import { browserConversationId } from '../../types.ts';
import { assertAdmin, assertCanWrite } from '../auth.ts';
import type { GraphqlContext } from '../context.ts';
import { badInput, notFound } from '../errors.ts';
import { replyObject } from '../mappers.ts';
import { withinRateLimit } from '../rate-limited.ts';

/** An operator's reply: at most this long (the web channel's own limits apply to `sendMessage`). */
const MAX_AGENT_TEXT = 4096;

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

interface AgentReplyArgs {
  conversationId: string;
  text: string;
  agentName?: string | null;
  agentRole?: string | null;
}

/** Who signs the reply ("Ana (supervisora)"); BAD_USER_INPUT for a name or role it refuses. */
function agentOf(args: AgentReplyArgs) {
  try {
    return agentLabelOf(args.agentName, args.agentRole, { name: 'agentName', role: 'agentRole' });
  } catch (error) {
    if (error instanceof ValidationError) throw badInput(error.message, String(error.details?.field ?? ''));
    throw error;
  }
}

export const Mutation = {
  async startConversation(_root: unknown, _args: unknown, ctx: GraphqlContext) {
    const { limits } = ctx.services;
    if (limits) await withinRateLimit(() => limits.rate.address(ctx.clientAddress));
    // In the browser namespace: no REST `user_id` can name it (core/types.ts).
    const conversationId = browserConversationId();
    return { conversationId, token: issueConversationToken(ctx.services.config.sessionSecret, conversationId) };
  },

  /**
   * A web chat message: the web channel's parser makes it (limits, and the message id the runtime
   * deduplicates on, `conversationId:id`: a retried `clientMessageId` gets its stored answer).
   */
  async sendMessage(_root: unknown, args: BrowserMessageInput, ctx: GraphqlContext) {
    assertCanWrite(ctx.principal, args.conversationId);
    const message = ctx.services.parseBrowserMessage(args);
    const { limits } = ctx.services;
    // Counted only for new work: a retried clientMessageId gets its stored answer whatever the budget.
    const admit = limits
      ? () => withinRateLimit(() => limits.rate.message(ctx.clientAddress, args.conversationId))
      : undefined;
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

  async replyAsAgent(_root: unknown, args: AgentReplyArgs, ctx: GraphqlContext) {
    assertAdmin(ctx.principal, Boolean(ctx.services.config.adminToken));
    const text = args.text.trim();
    if (!text) throw badInput('text is required', 'text');
    if (text.length > MAX_AGENT_TEXT) throw badInput(`text exceeds ${MAX_AGENT_TEXT} characters`, 'text');
    const agent = agentOf(args);
    return agentAction(ctx, args.conversationId, () =>
      ctx.services.runtime.agentReply(args.conversationId, text, agent),
    );
  },

  async releaseHandoff(_root: unknown, args: { conversationId: string }, ctx: GraphqlContext) {
    assertAdmin(ctx.principal, Boolean(ctx.services.config.adminToken));
    return agentAction(ctx, args.conversationId, () => ctx.services.runtime.releaseHandoff(args.conversationId));
  },
};
