import type { Context, Hono } from 'hono';
import { bearerToken } from '../../core/auth/bearer.ts';
import { issueConversationToken, verifyConversationToken } from '../../core/auth/conversation-token.ts';
import { safeEqual } from '../../core/auth/safe-equal.ts';
import { AuthError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { readJsonObject } from '../../core/http/read-json.ts';
import { addressOfContext } from '../../core/limits/client-address.ts';
import type { ChannelFactory, ChannelPlugin, PluginHost } from '../../core/plugin.ts';
import type { TurnResult } from '../../core/runtime/types.ts';
import { CHANNEL, parseWebMessage } from './parse.ts';
import { mountWebchat } from './webchat/routes.ts';

export { type BrowserMessageInput, parseBrowserMessage, parseWebMessage } from './parse.ts';

/** Overrides of the gateway's settings this channel reads from the host (`SESSION_SECRET`, `WEB_API_KEY`, …). */
export interface WebPluginOptions {
  sessionSecret?: string;
  adminToken?: string;
  /** Required in `X-Api-Key` on `POST /api/bot/message` when set. */
  apiKey?: string;
  maxBodyBytes?: number;
  /** false (WEB_REST=off): no REST routes at all. */
  rest?: boolean;
}

/** What the REST routes use: the options over the host's settings. */
interface WebSettings {
  sessionSecret: string;
  adminToken?: string;
  apiKey?: string;
  maxBodyBytes: number;
  rest: boolean;
}

function settingsOf(options: WebPluginOptions, host: PluginHost): WebSettings {
  const adminToken = options.adminToken ?? host.config.adminToken;
  const apiKey = options.apiKey ?? host.config.webApiKey;
  return {
    sessionSecret: options.sessionSecret ?? host.config.sessionSecret,
    ...(adminToken ? { adminToken } : {}),
    ...(apiKey ? { apiKey } : {}),
    maxBodyBytes: options.maxBodyBytes ?? host.config.maxBodyBytes,
    rest: options.rest ?? host.config.webRest,
  };
}

/** The channel list's line: the web channel is always on (WEB_REST=off turns only its REST API off). */
export const webChannel: ChannelFactory = {
  name: CHANNEL,
  fromEnv: () => createWebPlugin(),
};

/**
 * The web channel: the web chat page (`GET /`, talking to `/graphql`, whose `sendMessage` uses
 * `parseBrowserMessage`) and the REST API (the original bot's): `POST /api/bot/message` answers at
 * once with the turn's replies; `GET /api/bot/conversations/:id/messages` reads the transcript (with
 * the conversation token from the first answer), so a REST client reaches the final workflow answer.
 * Replies reach web clients through the answer, the transcript and GraphQL subscriptions: `send`
 * has nothing more to do.
 */
export function createWebPlugin(overrides: WebPluginOptions = {}): ChannelPlugin {
  return {
    name: CHANNEL,
    capabilities: { buttons: true, maxButtons: 10, maxButtonTitle: 64, maxTextLength: 10_000, readsReplies: true },
    mount(app: Hono, host: PluginHost) {
      mountWebchat(app);
      const options = settingsOf(overrides, host);
      if (!options.rest) return;
      if (!options.apiKey) {
        host.logger.warn(
          {},
          'the web REST API is open (no WEB_API_KEY): anyone who knows a user_id can post as that user and read the conversation',
        );
      }
      const { limits } = host;
      app.post('/api/bot/message', async (c) => {
        if (options.apiKey && !safeEqual(c.req.header('x-api-key') ?? '', options.apiKey)) {
          throw new AuthError('missing or invalid X-Api-Key');
        }
        const body = await readJsonObject(c, options.maxBodyBytes);
        const message = parseWebMessage(body, c.req.header('idempotency-key'));
        // Counted only for new work: a retried message id gets its stored answer whatever the budget.
        // With WEB_API_KEY the caller is the backend speaking for all its users: only per-conversation limits.
        const admit = async () => {
          if (!options.apiKey) await limits.rate.address(addressOfContext(c, limits.settings.trustedProxyHops));
          await limits.rate.conversation(message.conversationId);
        };
        const turn = await host.runtime.receive(message, { admit });
        return c.json(answer(turn, issueConversationToken(options.sessionSecret, turn.conversationId)));
      });

      app.get('/api/bot/conversations/:id/messages', async (c) => {
        const conversationId = c.req.param('id');
        authorize(c, conversationId, options);
        const limitParam = c.req.query('limit');
        const limit = limitParam === undefined ? 50 : Number(limitParam);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationError('limit must be 1..500');
        const view = await host.runtime.getConversation(conversationId);
        if (!view) throw new NotFoundError('conversation not found');
        const messages = await host.runtime.transcript(conversationId, limit);
        return c.json({
          conversation_id: conversationId,
          state: view.state,
          status: view.status,
          messages: messages.map((m) => ({
            direction: m.direction,
            text: m.text,
            ...(m.buttons ? { buttons: m.buttons } : {}),
            ...(m.action ? { action: m.action } : {}),
            at: m.at,
          })),
        });
      });
    },
    async send() {},
  };
}

function answer(turn: TurnResult, token: string) {
  return {
    conversation_id: turn.conversationId,
    conversation_token: token,
    replies: turn.replies.map((r) => ({ text: r.text, ...(r.buttons ? { buttons: r.buttons } : {}) })),
    status: turn.status,
    state: turn.state,
    ...(turn.duplicate ? { duplicate: true } : {}),
  };
}

/** The conversation's own token, or the admin token. */
function authorize(c: Context, conversationId: string, options: WebSettings) {
  // Header only: a token in the query string would end up in access logs.
  const token = bearerToken(c.req.header('authorization'));
  if (!token) throw new AuthError('send the conversation_token as "Authorization: Bearer <token>"');
  if (options.adminToken && safeEqual(token, options.adminToken)) return;
  const granted = verifyConversationToken(options.sessionSecret, token);
  if (granted === null) throw new AuthError('invalid conversation token');
  if (granted !== conversationId) throw new ForbiddenError('this token is for another conversation');
}
