import type { Hono } from 'hono';
import { AuthError, ValidationError } from '../../core/errors.ts';
import { parseJson } from '../../core/http/read-json.ts';
import { mountWebhookRoute, type WebhookDelivery } from '../../core/http/webhook-route.ts';
import { throttledWarning } from '../../core/log-throttle.ts';
import type { PluginHost } from '../../core/plugin.ts';
import type { InboundMessage } from '../../core/types.ts';
import { type ParsedUpdate, parseUpdate } from './parse.ts';
import { type TelegramSettings, WEBHOOK_PATH } from './types.ts';
import { verifySecretToken } from './verify.ts';

export interface WebhookDeps {
  settings: TelegramSettings;
  host: PluginHost;
  /** Aborted on close: background retries of inbound messages stop. */
  signal?: AbortSignal;
  /** Stops the pressed button's spinner. */
  answerCallback(callbackQueryId: string): Promise<void>;
  /** Maps a pressed button's `callback_data` back to the button id (see render.ts). */
  decodeAction(data: string): string | undefined;
  notifyEdited(conversationId: string, updateId: number): Promise<void>;
  notifyUnsupported(conversationId: string, updateId: number): Promise<void>;
  notifyExpiredButton(conversationId: string, updateId: number): Promise<void>;
  /** The user wrote or pressed a button in the conversation's chat (no bot message before is last now); never throws. */
  userWrote(conversationId: string): Promise<void>;
}

/** What the runtime gets from an update (a message, a known button's press) and what is done alongside. */
function deliveryOf(update: ParsedUpdate, deps: WebhookDeps): WebhookDelivery {
  const { logger } = deps.host;
  const fields = { updateId: update.updateId, kind: update.kind };
  const guarded = (work: () => Promise<void>) => async () => {
    try {
      await work();
    } catch (error) {
      logger.error({ ...fields, err: error }, 'Telegram update not processed');
    }
  };
  switch (update.kind) {
    case 'message': {
      // Marked at once, before the runtime answers: a result must not replace what the user wrote after.
      const marked = deps.userWrote(update.message.conversationId);
      return { messages: [update.message], alongside: () => marked };
    }
    case 'callback': {
      const press = update.message ? pressed(update.message, update.updateId, deps) : undefined;
      const marked = update.message ? deps.userWrote(update.message.conversationId) : undefined;
      return {
        messages: press?.message ? [press.message] : [],
        ...(update.message ? { probe: update.message.conversationId } : {}),
        alongside: guarded(async () => {
          const answered = deps.answerCallback(update.callbackQueryId).catch((error) => {
            // A replayed update's query is already answered ("query is too old"): nothing to do.
            logger.debug({ ...fields, err: error }, 'answerCallbackQuery failed');
          });
          await press?.notice?.();
          await Promise.all([answered, marked]);
        }),
      };
    }
    case 'edited':
      logger.info(fields, 'edited message ignored');
      return { messages: [], alongside: guarded(() => deps.notifyEdited(update.conversationId, update.updateId)) };
    case 'unsupported': {
      logger.info(fields, 'unsupported Telegram message');
      const marked = deps.userWrote(update.conversationId);
      return {
        messages: [],
        alongside: guarded(async () => {
          await marked;
          await deps.notifyUnsupported(update.conversationId, update.updateId);
        }),
      };
    }
    case 'ignored':
      logger.debug({ ...fields, reason: update.reason }, 'Telegram update ignored');
      return { messages: [] };
    case 'malformed':
      // Telegram resends anything but a 2xx, holding the updates behind it: skipped, with the reason.
      logger.warn({ updateId: update.updateId, reason: update.reason }, 'malformed Telegram update skipped');
      return { messages: [] };
  }
}

/** A press of a button this process rendered becomes the message's action; an unknown one gets a notice. */
function pressed(
  message: InboundMessage,
  updateId: number,
  deps: WebhookDeps,
): { message?: InboundMessage; notice?: () => Promise<void> } {
  const action = deps.decodeAction(message.action ?? '');
  if (action !== undefined) return { message: { ...message, action } };
  deps.host.logger.warn({ conversationId: message.conversationId, updateId }, 'pressed button no longer known');
  return { notice: () => deps.notifyExpiredButton(message.conversationId, updateId) };
}

/** `POST /webhooks/telegram`: secret-token check, 200 at once, the update processed after. */
export function mountWebhook(app: Hono, deps: WebhookDeps): void {
  const { settings, host } = deps;
  const { logger } = host;
  const warnRejected = throttledWarning(() => logger, 'Telegram webhook secret rejected');
  mountWebhookRoute(app, {
    path: WEBHOOK_PATH,
    host,
    ...(deps.signal ? { signal: deps.signal } : {}),
    // The secret is a header: checked before the body is read (an unauthenticated body is never buffered).
    authenticate(c) {
      const secret = c.req.header('x-telegram-bot-api-secret-token');
      if (verifySecretToken(secret, settings.webhookSecret)) return;
      warnRejected({ hasSecret: Boolean(secret) });
      throw new AuthError(
        secret ? 'X-Telegram-Bot-Api-Secret-Token does not match' : 'X-Telegram-Bot-Api-Secret-Token is missing',
      );
    },
    parse(raw) {
      const body = parseJson(raw);
      try {
        return parseUpdate(body);
      } catch (error) {
        if (error instanceof ValidationError) logger.warn({ reason: error.message }, 'Telegram update rejected');
        throw error;
      }
    },
    receive: (update) => deliveryOf(update, deps),
    respond: (c, update) =>
      c.json(update.kind === 'malformed' ? { ok: true, skipped: update.reason } : { ok: true }, 200),
  });
}
