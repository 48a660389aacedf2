import type { Context, Hono } from 'hono';
import { bearerToken } from '../../core/auth/bearer.ts';
import { safeEqual } from '../../core/auth/safe-equal.ts';
import { type Env, envText } from '../../core/config.ts';
import { AuthError, ConfigError, ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.ts';
import { readJsonObject } from '../../core/http/read-json.ts';
import { requestHeader } from '../../core/http/request-header.ts';
import { addressOfContext } from '../../core/limits/client-address.ts';
import type { ChannelFactory, ChannelPlugin, PluginHost } from '../../core/plugin.ts';
import type { TurnResult } from '../../core/runtime/types.ts';
import { CHANNEL, parseBrowserMessage, parseWebMessage } from './parse.ts';
import { mountWebchat } from './webchat/routes.ts';

export { parseBrowserMessage, parseWebMessage } from './parse.ts';
export { webSenderTrust } from './trust.ts';

/** The channel's own settings (`WEB_REST`, `WEB_API_KEY`); the body cap defaults to the host's. */
export interface WebPluginOptions {
  /** Required in `X-Api-Key` on `POST /api/bot/message` when set. */
  apiKey?: string;
  /** false (WEB_REST=off): no REST routes at all. Default true. */
  rest?: boolean;
  maxBodyBytes?: number;
}

const SWITCH_VALUES: Record<string, boolean> = {
  on: true,
  off: false,
  '1': true,
  '0': false,
  true: true,
  false: false,
  yes: true,
  no: false,
};

/** A switch variable: on/off, 1/0, true/false, yes/no (any case); `fallback` when unset; a ConfigError naming it otherwise. */
function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = envText(env, name);
  if (raw === undefined) return fallback;
  const key = raw.toLowerCase();
  if (!Object.hasOwn(SWITCH_VALUES, key)) {
    throw new ConfigError(`${name} must be on or off (also 1/0, true/false, yes/no), got "${raw}"`);
  }
  return SWITCH_VALUES[key]!;
}

/**
 * `WEB_REST` (default on) and `WEB_API_KEY`. With `NODE_ENV=production` an open REST API is refused:
 * anyone could post as any `user_id`.
 */
export function webEnv(env: Env): { rest: boolean; apiKey?: string } {
  const rest = onOff(env, 'WEB_REST', true);
  const apiKey = envText(env, 'WEB_API_KEY');
  if (rest && !apiKey && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'WEB_API_KEY is required in production while the REST API is on (anyone could post as any user_id): set it, or WEB_REST=off',
    );
  }
  return { rest, ...(apiKey ? { apiKey } : {}) };
}

/** The channel list's line: the web channel is always on (WEB_REST=off turns only its REST API off). */
export const webChannel: ChannelFactory = {
  name: CHANNEL,
  fromEnv: (env) => createWebPlugin(webEnv(env)),
};

/**
 * The web channel: the web chat page (`GET /`, talking to `/graphql`, whose `sendMessage` uses
 * `parseBrowserMessage`) and the REST API (the original bot's): `POST /api/bot/message` answers at
 * once with the turn's replies; `GET /api/bot/conversations/:id/messages` reads the transcript (with
 * the conversation token from the first answer), so a REST client reaches the final workflow answer.
 * Replies reach web clients through the answer, the transcript and GraphQL subscriptions: `send`
 * has nothing more to do.
 */
export function createWebPlugin(options: WebPluginOptions = {}): ChannelPlugin {
  const { apiKey, rest = true } = options;
  return {
    name: CHANNEL,
    capabilities: { buttons: true, maxButtons: 10, maxButtonTitle: 64, maxTextLength: 10_000, readsReplies: true },
    parseBrowserMessage,
    mount(app: Hono, host: PluginHost) {
      mountWebchat(app);
      if (!rest) return;
      const maxBodyBytes = options.maxBodyBytes ?? host.config.maxBodyBytes;
      if (!apiKey) {
        host.logger.warn(
          {},
          'the web REST API is open (no WEB_API_KEY): anyone who knows a user_id can post as that user and read the conversation',
        );
      }
      const { limits } = host;
      app.post('/api/bot/message', async (c) => {
        if (apiKey && !safeEqual(requestHeader(c, 'x-api-key') ?? '', apiKey)) {
          throw new AuthError('missing or invalid X-Api-Key');
        }
        const body = await readJsonObject(c, maxBodyBytes);
        const message = parseWebMessage(body, requestHeader(c, 'idempotency-key'));
        // Counted only for new work: a retried message id gets its stored answer whatever the budget.
        // With WEB_API_KEY the caller is the backend speaking for all its users: only per-conversation limits.
        const admit = () =>
          limits.rate.message(
            apiKey ? undefined : addressOfContext(c, limits.settings.trustedProxyHops),
            message.conversationId,
          );
        const turn = await host.runtime.receive(message, { admit });
        return c.json(answer(turn, host.conversationTokens.issue(turn.conversationId)));
      });

      app.get('/api/bot/conversations/:id/messages', async (c) => {
        const conversationId = c.req.param('id');
        authorize(c, conversationId, host);
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
function authorize(c: Context, conversationId: string, host: PluginHost) {
  // Header only: a token in the query string would end up in access logs.
  const token = bearerToken(c.req.header('authorization'));
  if (!token) throw new AuthError('send the conversation_token as "Authorization: Bearer <token>"');
  if (host.isAdminToken(token)) return;
  const granted = host.conversationTokens.verify(token);
  if (granted === null) throw new AuthError('invalid conversation token');
  if (granted !== conversationId) throw new ForbiddenError('this token is for another conversation');
}
