import type { Context, Hono } from 'hono';
import { receiveInBackground } from '../../core/delivery/inbound.ts';
import { AuthError } from '../../core/errors.ts';
import { mountWebhookRoute } from '../../core/http/webhook-route.ts';
import type { PluginHost } from '../../core/plugin.ts';
import type { InboundMessage } from '../../core/types.ts';
import { offeredButtons, optionNumber, pressedButton } from './options.ts';
import { type ParsedSms, parseSmsWebhook } from './parse.ts';
import { LIMITS, type SmsSettings, WEBHOOK_PATH } from './types.ts';
import { verifyTwilioSignature } from './verify.ts';

export interface WebhookDeps {
  settings: SmsSettings;
  host: PluginHost;
  /** Aborted on close: background retries of inbound messages stop. */
  signal?: AbortSignal;
}

/** The answer Twilio gets: no TwiML reply (replies go through the REST API, paced and retried). */
export const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** Every form field, a repeated name's values included: Twilio signs them all (`parseForm` keeps the last). */
const formOf = (raw: Buffer) => new URLSearchParams(raw.toString('utf8'));

/**
 * The message as the runtime gets it: a reply that is only the number of an option the assistant
 * offered in its last message presses that button (`action`), as a press does on other channels.
 * The offer is read from the transcript, so any process answers the number alike.
 */
export async function withPressedButton(message: InboundMessage, host: PluginHost): Promise<InboundMessage> {
  if (optionNumber(message.text) === null) return message;
  try {
    const transcript = await host.runtime.transcript(message.conversationId, 1);
    const button = pressedButton(message.text, offeredButtons(transcript).slice(0, LIMITS.options));
    return button ? { ...message, action: button.id } : message;
  } catch (error) {
    host.logger.warn(
      { conversationId: message.conversationId, messageId: message.id, err: error },
      'the options last offered could not be read: the number goes to the assistant as text',
    );
    return message;
  }
}

/** `POST /webhooks/sms`: Twilio's signed incoming-message webhook, answered at once with empty TwiML. */
export function mountWebhook(app: Hono, deps: WebhookDeps): void {
  const { settings, host, signal } = deps;
  const { logger } = host;
  // Twilio signs the URL it requested, the one configured in its console: PUBLIC_URL + path (+ query).
  const signedUrl = (c: Context) => `${host.config.publicUrl}${WEBHOOK_PATH}${new URL(c.req.url).search}`;

  mountWebhookRoute<ParsedSms>(app, {
    path: WEBHOOK_PATH,
    runtime: host.runtime,
    logger,
    maxBodyBytes: host.config.maxBodyBytes,
    ...(signal ? { signal } : {}),
    verify(c, raw) {
      const signature = c.req.header('x-twilio-signature');
      if (verifyTwilioSignature(settings.authToken, signedUrl(c), formOf(raw), signature)) return;
      logger.warn(
        { hasSignature: Boolean(signature), signedUrl: signedUrl(c) },
        'Twilio webhook signature rejected (is PUBLIC_URL exactly the host of the URL set in the Twilio console?)',
      );
      throw new AuthError(
        signature ? 'X-Twilio-Signature does not match the URL and parameters' : 'X-Twilio-Signature is missing',
      );
    },
    parse: (raw) => parseSmsWebhook(formOf(raw), settings),
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
        case 'message': {
          const { message } = parsed;
          return {
            messages: [],
            probe: message.conversationId,
            // The offered options are read after the 200 (a store read); then the runtime, as usual.
            alongside: async () => {
              const pressed = await withPressedButton(message, host);
              await receiveInBackground(host.runtime, [pressed], logger, signal ? { signal } : {});
            },
          };
        }
      }
    },
    respond: (c) => c.body(EMPTY_TWIML, 200, { 'content-type': 'text/xml' }),
  });
}
