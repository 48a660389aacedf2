import type { Context, Hono } from 'hono';
import { type ReceiveOptions, receiveInBackground, storeAccepting } from '../../core/delivery/inbound.ts';
import { parseJson, readRawBody, webhookError } from '../../core/delivery/webhook-body.ts';
import { ValidationError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { PluginHost } from '../../core/plugin.ts';
import type { InboundMessage } from '../../core/types.ts';
import { type ParsedUpdate, parseUpdate } from './parse.ts';
import { type TelegramSettings, WEBHOOK_PATH } from './types.ts';
import { verifySecretToken } from './verify.ts';

export interface WebhookDeps {
  settings: TelegramSettings;
  host: PluginHost;
  logger: Logger;
  /** Aborted on close: background retries of inbound messages stop. */
  signal?: AbortSignal;
  /** Stops the pressed button's spinner. */
  answerCallback(callbackQueryId: string): Promise<void>;
  /** Maps a pressed button's `callback_data` back to the button id (see render.ts). */
  decodeAction(data: string): string | undefined;
  notifyEdited(conversationId: string, updateId: number): Promise<void>;
  notifyUnsupported(conversationId: string, updateId: number): Promise<void>;
  notifyExpiredButton(conversationId: string, updateId: number): Promise<void>;
}

async function processUpdate(update: ParsedUpdate, deps: WebhookDeps): Promise<void> {
  const { logger, host } = deps;
  const fields = { updateId: update.updateId, kind: update.kind };
  const options: ReceiveOptions = deps.signal ? { signal: deps.signal } : {};
  try {
    switch (update.kind) {
      case 'message':
        return await receiveInBackground(host.runtime, [update.message], logger, options);
      case 'callback': {
        const answered = deps.answerCallback(update.callbackQueryId).catch((error) => {
          // A replayed update's query is already answered ("query is too old"): nothing to do.
          logger.debug({ ...fields, error }, 'answerCallbackQuery failed');
        });
        if (update.message) await handlePress(update.message, update.updateId, deps);
        return void (await answered);
      }
      case 'edited':
        logger.info(fields, 'edited message ignored');
        return await deps.notifyEdited(update.conversationId, update.updateId);
      case 'unsupported':
        logger.info(fields, 'unsupported Telegram message');
        return await deps.notifyUnsupported(update.conversationId, update.updateId);
      case 'ignored':
      case 'malformed':
        logger.debug({ ...fields, reason: update.reason }, 'Telegram update ignored');
        return;
    }
  } catch (error) {
    logger.error({ ...fields, error }, 'Telegram update not processed');
  }
}

async function handlePress(message: InboundMessage, updateId: number, deps: WebhookDeps): Promise<void> {
  const action = deps.decodeAction(message.action ?? '');
  if (action === undefined) {
    deps.logger.warn({ conversationId: message.conversationId, updateId }, 'pressed button no longer known');
    return deps.notifyExpiredButton(message.conversationId, updateId);
  }
  await receiveInBackground(
    deps.host.runtime,
    [{ ...message, action }],
    deps.logger,
    deps.signal ? { signal: deps.signal } : {},
  );
}

/** `POST /webhooks/telegram`: secret-token check, 200 at once, the update processed after. */
export function mountWebhook(app: Hono, deps: WebhookDeps): void {
  const { settings, host, logger } = deps;
  app.post(WEBHOOK_PATH, async (c: Context) => {
    const secret = c.req.header('x-telegram-bot-api-secret-token');
    if (!verifySecretToken(secret, settings.webhookSecret)) {
      logger.warn({ hasSecret: Boolean(secret) }, 'Telegram webhook secret rejected');
      return webhookError(
        c,
        401,
        'unauthorized',
        secret ? 'X-Telegram-Bot-Api-Secret-Token does not match' : 'X-Telegram-Bot-Api-Secret-Token is missing',
      );
    }
    const raw = await readRawBody(c, host.config.maxBodyBytes);
    if (!raw.ok) {
      logger.warn({ limitBytes: host.config.maxBodyBytes }, 'Telegram webhook body too large');
      return raw.response;
    }
    const body = parseJson(raw.bytes);
    if (!body.ok) {
      logger.warn({ bytes: raw.bytes.length, reason: body.reason }, 'Telegram webhook body refused');
      return webhookError(c, 400, 'invalid_request', body.reason);
    }
    let update: ParsedUpdate;
    try {
      update = parseUpdate(body.value);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      logger.warn({ reason: error.message }, 'Telegram update rejected');
      return webhookError(c, 400, error.code, error.message);
    }
    if (update.kind === 'malformed') {
      // Telegram resends anything but a 2xx, holding the updates behind it: skipped, with the reason.
      logger.warn({ updateId: update.updateId, reason: update.reason }, 'malformed Telegram update skipped');
      return c.json({ ok: true, skipped: update.reason }, 200);
    }
    // Answering 200 is a promise to process: with the store down, 503 makes Telegram deliver again later.
    const probe = update.kind === 'message' || update.kind === 'callback' ? update.message?.conversationId : undefined;
    if (probe && !(await storeAccepting(host.runtime, probe, logger))) {
      return webhookError(c, 503, 'unavailable', 'the conversation store is unavailable; deliver again later');
    }
    // Telegram re-sends slow answers: answer now, process after (shutdown waits for it).
    host.runtime.track(processUpdate(update, deps));
    return c.json({ ok: true }, 200);
  });
}
