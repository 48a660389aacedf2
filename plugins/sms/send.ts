import { Agent, type Dispatcher, request } from 'undici';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import { parseRetryAfter } from '../../core/http/retry-after.ts';
import type { Logger } from '../../core/log.ts';
import { smsSegments } from './metrics.ts';
import { countSegments } from './segments.ts';
import { type SmsSettings, smsConversationId, TWILIO_ERRORS } from './types.ts';

/** Twilio's 429 (20429, concurrency) usually has no Retry-After: wait this long. */
const DEFAULT_RETRY_AFTER_MS = 2_000;

/**
 * How long an idle connection to Twilio is kept for reuse: well below the idle timeout of Twilio's
 * edge, so the socket is ours to close, not theirs. A request written to a socket the server closed
 * meanwhile fails after it "left" (`onRequestSent`) with ECONNRESET/"other side closed" before any
 * response byte, and `networkFailure` must call that unclear (not retried, dead-lettered for an
 * operator): it cannot tell a reset of a stale socket from one after Twilio accepted the message.
 * Keeping reuse short makes the stale case rare instead of guessing; the classification stays.
 */
const KEEP_ALIVE_MS = 4_000;

/** Twilio's REST error body (twilio.com/docs/usage/twilios-response). */
interface TwilioErrorBody {
  code?: number;
  message?: string;
  status?: number;
  more_info?: string;
}

export interface TwilioClient {
  /**
   * Creates one Message; resolves with its SID. Throws the errors the dispatcher classifies.
   * `statusCallback`: the URL Twilio posts the message's later statuses to.
   */
  send(to: string, body: string, statusCallback?: string): Promise<{ sid?: string }>;
  close(): Promise<void>;
}

/** A dispatcher that reports whether the request left (headers and body written to the socket). */
function trackingSent(agent: Agent, onSent: () => void): Dispatcher {
  return agent.compose(
    (dispatch) => (options, handler) =>
      dispatch(options, {
        onRequestStart: (...args) => handler.onRequestStart?.(...args),
        onRequestUpgrade: (...args) => handler.onRequestUpgrade?.(...args),
        onResponseStart: (...args) => handler.onResponseStart?.(...args),
        onResponseData: (...args) => handler.onResponseData?.(...args),
        onResponseEnd: (...args) => handler.onResponseEnd?.(...args),
        onResponseError: (...args) => handler.onResponseError?.(...args),
        onRequestSent: () => {
          onSent();
          handler.onRequestSent?.();
        },
      }),
  );
}

/**
 * A request that got no answer. Before it left (refused, DNS, connect timeout, reset while
 * connecting) nothing was created: retryable. After it left (headers/body timeout, reset) Twilio may
 * have accepted it: retrying could text the user twice, so it is a permanent failure ("unclear"),
 * dead-lettered with this reason for an operator to check Twilio's log and retry from the admin API.
 */
export function networkFailure(error: unknown, requestSent: boolean): UpstreamError {
  const networkCode = (error as { code?: unknown }).code;
  const cause = typeof networkCode === 'string' ? networkCode : (error as Error).message;
  const details = typeof networkCode === 'string' ? { networkCode } : {};
  if (!requestSent) {
    return new UpstreamError('twilio', `Twilio API unreachable: ${cause}`, { retryable: true, details });
  }
  return new UpstreamError(
    'twilio',
    `Twilio did not answer after the message was sent (${cause}): it may have been accepted. Not retried ` +
      "automatically so the user is not texted twice; check Twilio's message log before retrying it.",
    { retryable: false, details: { ...details, outcome: 'unclear' } },
  );
}

/**
 * `POST {apiUrl}/2010-04-01/Accounts/{AccountSid}/Messages.json` (form `To`, `From`, `Body`,
 * `StatusCallback`; basic auth SID:token). 429 → `RateLimitError` after Retry-After; 5xx and
 * failures to reach Twilio → retryable; no answer after sending → permanent (`networkFailure`); any
 * other 4xx (21211 invalid number, 21610 unsubscribed, 21614 not a mobile) → permanent.
 */
export function createTwilioClient(settings: SmsSettings, logger: () => Logger): TwilioClient {
  const agent = new Agent({
    connect: { timeout: settings.timeoutMs },
    // Idle connections are reused for at most KEEP_ALIVE_MS, whatever a Keep-Alive header offers.
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
  const url = `${settings.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;

  return {
    async send(to, body, statusCallback) {
      const conversationId = smsConversationId(to);
      const form = new URLSearchParams({ To: to, From: settings.phoneNumber, Body: body });
      if (statusCallback) form.set('StatusCallback', statusCallback);
      let requestSent = false;
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(url, {
          method: 'POST',
          dispatcher: trackingSent(agent, () => {
            requestSent = true;
          }),
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
        });
      } catch (error) {
        throw networkFailure(error, requestSent);
      }
      const text = await response.body.text().catch(() => '');
      let json: TwilioErrorBody & { sid?: string } = {};
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        // A proxy's HTML error page: the status decides.
      }
      const status = response.statusCode;
      if (status >= 200 && status < 300) {
        const { encoding, segments } = countSegments(body);
        smsSegments.inc({ encoding }, segments);
        logger().debug({ conversationId, sid: json.sid, encoding, segments }, 'SMS accepted by Twilio');
        return { sid: json.sid };
      }

      const code = json.code;
      const reason = json.message ?? `HTTP ${status}`;
      if (status === 429 || code === TWILIO_ERRORS.tooManyRequests) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']) ?? DEFAULT_RETRY_AFTER_MS;
        throw new RateLimitError(`Twilio rate limit (${code ?? status}): ${reason}`, retryAfterMs);
      }
      if (code === TWILIO_ERRORS.unsubscribedRecipient) {
        logger().warn(
          { conversationId, platformCode: code },
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
