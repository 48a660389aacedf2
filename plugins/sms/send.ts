import { Agent, request } from 'undici';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import { type SmsSettings, TWILIO_ERRORS } from './types.ts';

/** Twilio's 429 (20429, concurrency) usually has no Retry-After: wait this long. */
const DEFAULT_RETRY_AFTER_MS = 2_000;

/** `Retry-After` as seconds or an HTTP date, in ms; null when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, now = Date.now()): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Twilio's REST error body (twilio.com/docs/usage/twilios-response). */
interface TwilioErrorBody {
  code?: number;
  message?: string;
  status?: number;
  more_info?: string;
}

export interface TwilioClient {
  /** Creates one Message; resolves with its SID. Throws the errors the dispatcher classifies. */
  send(to: string, body: string): Promise<{ sid?: string }>;
  close(): Promise<void>;
}

/**
 * `POST {apiUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json` (form `To`, `From`, `Body`; basic
 * auth SID:token). 429 → `RateLimitError` after Retry-After; 5xx and network errors → retryable;
 * any other 4xx (21211 invalid number, 21610 unsubscribed, 21614 not a mobile) → permanent.
 */
export function createTwilioClient(settings: SmsSettings, logger: () => Logger): TwilioClient {
  const agent = new Agent({
    connect: { timeout: settings.timeoutMs },
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
  const url = `${settings.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;

  return {
    async send(to, body) {
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ To: to, From: settings.phoneNumber, Body: body }).toString(),
        });
      } catch (error) {
        throw new UpstreamError('twilio', `Twilio API unreachable: ${(error as Error).message}`, { retryable: true });
      }
      const text = await response.body.text().catch(() => '');
      let json: TwilioErrorBody & { sid?: string } = {};
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        // A proxy's HTML error page: the status decides.
      }
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { sid: json.sid };

      const code = json.code;
      const reason = json.message ?? `HTTP ${status}`;
      if (status === 429 || code === TWILIO_ERRORS.tooManyRequests) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']) ?? DEFAULT_RETRY_AFTER_MS;
        throw new RateLimitError(`Twilio rate limit (${code ?? status}): ${reason}`, retryAfterMs);
      }
      if (code === TWILIO_ERRORS.unsubscribedRecipient) {
        logger().warn(
          { conversationId: `sms:${to}`, platformCode: code },
          'Twilio 21610: this number replied STOP; nothing reaches it until it texts START (not retried)',
        );
      }
      throw new UpstreamError('twilio', `Twilio API ${status}: ${reason}`, {
        status,
        retryable: status >= 500,
        details: code === undefined ? {} : { platformCode: code },
      });
    },
    close: () => agent.close(),
  };
}
