import type { Context, Hono } from 'hono';
import { receiveInBackground } from '../../core/delivery/inbound.ts';
import { parseJson, readRawBody, webhookError } from '../../core/delivery/webhook-body.ts';
import { ValidationError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { PluginHost } from '../../core/plugin.ts';
import { type ParsedWebhook, parseWebhook, type UnsupportedMessage } from './parse.ts';
import { WEBHOOK_PATH, type WhatsAppSettings } from './types.ts';
import { verifyHandshake, verifySignature } from './verify.ts';

export interface WebhookDeps {
  settings: WhatsAppSettings;
  host: PluginHost;
  logger: Logger;
  /** Answers a message the assistant cannot read. */
  notifyUnsupported(message: UnsupportedMessage): Promise<void>;
}

async function processDelivery(parsed: ParsedWebhook, deps: WebhookDeps): Promise<void> {
  const { runtime } = deps.host;
  const { logger } = deps;
  await Promise.all([
    receiveInBackground(runtime, parsed.messages, logger),
    ...parsed.statuses.map(async ({ conversationId, status }) => {
      try {
        await runtime.recordDeliveryStatus(conversationId, status);
        if (status.status === 'failed') {
          logger.warn(
            { conversationId, messageId: status.messageId, errors: status.errors },
            'WhatsApp reports a failed delivery',
          );
        }
      } catch (error) {
        logger.error({ conversationId, messageId: status.messageId, error }, 'delivery status not recorded');
      }
    }),
    ...parsed.unsupported.map(async (message) => {
      logger.info(
        { conversationId: message.conversationId, messageId: message.messageId, type: message.type },
        'unsupported WhatsApp message type',
      );
      try {
        await deps.notifyUnsupported(message);
      } catch (error) {
        logger.error({ conversationId: message.conversationId, error }, 'unsupported-type notice not sent');
      }
    }),
  ]);
}

/** `GET` (subscription handshake) and `POST` (signed deliveries) on `/webhooks/whatsapp`. */
export function mountWebhook(app: Hono, deps: WebhookDeps): void {
  const { settings, host, logger } = deps;

  app.get(WEBHOOK_PATH, (c: Context) => {
    const challenge = verifyHandshake(
      {
        mode: c.req.query('hub.mode'),
        token: c.req.query('hub.verify_token'),
        challenge: c.req.query('hub.challenge'),
      },
      settings.verifyToken,
    );
    if (challenge === null) {
      logger.warn({ mode: c.req.query('hub.mode') }, 'WhatsApp webhook handshake refused');
      return webhookError(c, 403, 'forbidden', 'hub.mode or hub.verify_token does not match');
    }
    return c.text(challenge, 200);
  });

  app.post(WEBHOOK_PATH, async (c: Context) => {
    const raw = await readRawBody(c, host.config.maxBodyBytes);
    if (!raw.ok) {
      logger.warn({ limitBytes: host.config.maxBodyBytes }, 'WhatsApp webhook body too large');
      return raw.response;
    }
    const signature = c.req.header('x-hub-signature-256');
    if (!verifySignature(raw.bytes, signature, settings.appSecret)) {
      logger.warn({ hasSignature: Boolean(signature) }, 'WhatsApp webhook signature rejected');
      return webhookError(
        c,
        401,
        'unauthorized',
        signature ? 'X-Hub-Signature-256 does not match the body' : 'X-Hub-Signature-256 is missing',
      );
    }
    const body = parseJson(raw.bytes);
    if (body === undefined) {
      logger.warn({ bytes: raw.bytes.length }, 'WhatsApp webhook body is not JSON');
      return webhookError(c, 400, 'invalid_request', 'body is not valid JSON');
    }
    let parsed: ParsedWebhook;
    try {
      parsed = parseWebhook(body);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      logger.warn({ reason: error.message }, 'WhatsApp webhook payload rejected');
      return webhookError(c, 400, error.code, error.message);
    }
    if (parsed.malformed > 0)
      logger.warn({ malformed: parsed.malformed }, 'WhatsApp webhook items without from/id skipped');
    // Meta retries anything but a fast 200: answer now, process after (shutdown waits for it).
    host.runtime.track(processDelivery(parsed, deps));
    return c.json({ ok: true }, 200);
  });
}
