import type { Hono } from 'hono';
import { parseForm } from '../../core/http/read-json.ts';
import { mountWebhookRoute } from '../../core/http/webhook-route.ts';
import type { PluginHost } from '../../core/plugin.ts';
import { SMS_INBOUND_RETRY_DELAYS_MS, withPressedButton } from './inbound.ts';
import { type ParsedSms, parseSmsWebhook } from './parse.ts';
import type { TwilioSignatureCheck } from './signed-request.ts';
import { type SmsSettings, WEBHOOK_PATH } from './types.ts';

export interface WebhookDeps {
  settings: SmsSettings;
  host: PluginHost;
  /** The signature check of `WEBHOOK_PATH` (signed-request.ts). */
  verify: TwilioSignatureCheck;
  /** Aborted on close: background retries of inbound messages stop. */
  signal?: AbortSignal;
  /** Waits between attempts while the store fails (default: about 5 minutes in all). */
  inboundRetryDelaysMs?: readonly number[];
}

/** The answer Twilio gets: no TwiML reply (replies go through the REST API, paced and retried). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/**
 * `POST /webhooks/sms`: Twilio's signed incoming-message webhook, answered at once with empty TwiML,
 * also while the store is down: Twilio would not redeliver after a 5xx, so the message is kept and
 * retried here instead (in order per conversation, for about 5 minutes).
 */
export function mountWebhook(app: Hono, deps: WebhookDeps): void {
  const { settings, host, signal } = deps;
  const { logger } = host;

  mountWebhookRoute<ParsedSms>(app, {
    path: WEBHOOK_PATH,
    host,
    ...(signal ? { signal } : {}),
    verify: deps.verify,
    prepare: (message) => withPressedButton(message, host),
    retryDelaysMs: deps.inboundRetryDelaysMs ?? SMS_INBOUND_RETRY_DELAYS_MS,
    parse: (raw) => parseSmsWebhook(parseForm(raw), settings),
    receive(parsed) {
      switch (parsed.kind) {
        case 'foreign':
          // Like WhatsApp's other phone_number_ids: answered 200 and skipped (a refusal only fills
          // Twilio's error log; it would not make the message ours).
          logger.info(
            { to: parsed.to, accountSid: parsed.accountSid, expected: settings.phoneNumber },
            'Twilio message for another number or account skipped',
          );
          return { messages: [] };
        case 'opt-out':
          logger.info(
            { conversationId: parsed.conversationId, messageId: parsed.messageId, optOutType: parsed.type },
            'SMS opt-out keyword left to Twilio (it answers and blocks or unblocks the sender)',
          );
          return { messages: [] };
        case 'message':
          // No store probe (no 503: Twilio would drop the SMS); the longer retry keeps it instead.
          return { messages: [parsed.message], probe: false };
      }
    },
    respond: (c) => c.body(EMPTY_TWIML, 200, { 'content-type': 'text/xml' }),
  });
}
