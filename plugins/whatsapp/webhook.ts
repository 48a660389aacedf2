import type { Context, Hono } from 'hono';
import { deliveryStatusHandler, type ReportedStatus } from '../../core/delivery/delivery-statuses.ts';
import type { LateFailure } from '../../core/delivery/types.ts';
import { AuthError, ForbiddenError, ValidationError } from '../../core/errors.ts';
import { parseJson } from '../../core/http/read-json.ts';
import { mountWebhookRoute } from '../../core/http/webhook-route.ts';
import { throttledWarning } from '../../core/log-throttle.ts';
import type { PluginHost } from '../../core/plugin.ts';
import type { DeliveryStatus } from '../../core/runtime/types.ts';
import { type ParsedWebhook, parseWebhook, type UnsupportedMessage } from './parse.ts';
import { WEBHOOK_PATH, type WhatsAppSettings } from './types.ts';
import { verifyHandshake, verifySignature } from './verify.ts';

export interface WebhookDeps {
  settings: WhatsAppSettings;
  host: PluginHost;
  /** Aborted on close: background retries of inbound messages stop. */
  signal?: AbortSignal;
  /** Answers a message the assistant cannot read. */
  notifyUnsupported(message: UnsupportedMessage): Promise<void>;
  /**
   * The user wrote (at `receivedAt`): their 24-hour window opens and the messages held while it was
   * closed are delivered, before the answer to this message. What it throws is retried like a store failure.
   */
  userWrote(conversationId: string, receivedAt: string): Promise<void>;
  /** Marks the message read with the typing indicator, in the background; never throws. */
  markRead(conversationId: string, messageId: string): Promise<void>;
  /** Dead-letters the message a `failed` status is about; false when this process did not send it. */
  reportFailed(wamid: string, failure: Omit<LateFailure, 'partsSent'>): Promise<boolean>;
}

/** The platform's code and reason of a `failed` status (`errors[0]`). */
function failureOf(status: DeliveryStatus): Omit<LateFailure, 'partsSent'> {
  const error = (Array.isArray(status.errors) ? status.errors[0] : undefined) as
    | { code?: number; title?: string; message?: string; error_data?: { details?: string } }
    | undefined;
  const reason = [error?.title ?? error?.message, error?.error_data?.details].filter(Boolean).join(': ');
  return {
    code: 'delivery_failed',
    ...(error?.code !== undefined ? { platformCode: error.code } : {}),
    reason: reason || 'WhatsApp reported the message as failed',
    // 131047 (window closed), 131026 (undeliverable) and the like do not pass on a plain retry.
    retryable: false,
  };
}

/** Everything of a delivery but its messages (those go to the runtime): statuses, skipped items, notices. */
async function processAlongside(
  parsed: ParsedWebhook,
  deps: WebhookDeps,
  handleStatus: (reported: ReportedStatus) => Promise<void>,
): Promise<void> {
  const { logger } = deps.host;
  for (const message of parsed.ignored) {
    logger.debug(
      { conversationId: message.conversationId, messageId: message.messageId, type: message.type },
      'WhatsApp message ignored (not a question to the assistant)',
    );
  }
  await Promise.all([
    // Read + typing for what will be answered (not reactions, not statuses), alongside the answer's turn.
    ...parsed.messages.map((message) => deps.markRead(message.conversationId, message.id)),
    ...parsed.unsupported.map((message) => deps.markRead(message.conversationId, message.messageId)),
    ...parsed.statuses.map(({ conversationId, status }) =>
      handleStatus({ conversationId, status, ...(status.status === 'failed' ? { failure: failureOf(status) } : {}) }),
    ),
    ...parsed.unsupported.map(async (message) => {
      logger.info(
        { conversationId: message.conversationId, messageId: message.messageId, type: message.type },
        'unsupported WhatsApp message type',
      );
      try {
        await deps.userWrote(message.conversationId, message.receivedAt);
        await deps.notifyUnsupported(message);
      } catch (error) {
        logger.error({ conversationId: message.conversationId, err: error }, 'unsupported-type notice not sent');
      }
    }),
  ]);
}

/** `GET` (subscription handshake) and `POST` (signed deliveries) on `/webhooks/whatsapp`. */
export function mountWebhook(app: Hono, deps: WebhookDeps): void {
  const { settings, host } = deps;
  const { logger } = host;
  // Meta resends statuses too: each `wamid:status` is handled once.
  const handleStatus = deliveryStatusHandler({
    platform: 'WhatsApp',
    runtime: host.runtime,
    logger,
    reportFailed: deps.reportFailed,
  });
  const warnRejected = throttledWarning(() => logger, 'WhatsApp webhook signature rejected');

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
      throw new ForbiddenError('hub.mode or hub.verify_token does not match');
    }
    return c.text(challenge, 200);
  });

  mountWebhookRoute(app, {
    path: WEBHOOK_PATH,
    host,
    ...(deps.signal ? { signal: deps.signal } : {}),
    verify(c, raw) {
      const signature = c.req.header('x-hub-signature-256');
      if (verifySignature(raw, signature, settings.appSecret)) return;
      warnRejected({ hasSignature: Boolean(signature) });
      throw new AuthError(signature ? 'X-Hub-Signature-256 does not match the body' : 'X-Hub-Signature-256 is missing');
    },
    parse(raw) {
      const body = parseJson(raw);
      let parsed: ParsedWebhook;
      try {
        parsed = parseWebhook(body, { phoneNumberId: settings.phoneNumberId });
      } catch (error) {
        if (error instanceof ValidationError)
          logger.warn({ reason: error.message }, 'WhatsApp webhook payload rejected');
        throw error;
      }
      // Meta resends anything but a 200 for days: what does not match the API's types is skipped, not refused.
      if (parsed.malformed > 0)
        logger.warn({ malformed: parsed.malformed }, 'malformed WhatsApp webhook items skipped');
      if (parsed.foreign.length > 0)
        logger.info(
          { phoneNumberIds: [...new Set(parsed.foreign)], expected: settings.phoneNumberId },
          'WhatsApp webhook changes for another phone number skipped',
        );
      return parsed;
    },
    // Inside the message's turn: the window is open before the answer is sent, held messages go first.
    async prepare(message) {
      await deps.userWrote(message.conversationId, message.receivedAt);
      return message;
    },
    receive(parsed) {
      const probe = parsed.messages[0]?.conversationId ?? parsed.statuses[0]?.conversationId;
      return {
        messages: parsed.messages,
        alongside: () => processAlongside(parsed, deps, handleStatus),
        ...(probe ? { probe } : {}),
      };
    },
  });
}
