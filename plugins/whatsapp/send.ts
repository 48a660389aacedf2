import { Agent, request } from 'undici';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import { parseRetryAfter } from '../../core/http/retry-after.ts';
import type { Logger } from '../../core/log.ts';
import { LIMITS, type WaError, type WaSendPayload, type WhatsAppSettings } from './types.ts';

/** Graph API error codes that mean "slow down" (throughput, pair rate, spam rate, app/account rate). */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131048, 131056]);
const DEFAULT_RETRY_AFTER_MS = 6_000;

export interface WhatsAppClient {
  post(payload: WaSendPayload): Promise<{ messageId?: string }>;
  close(): Promise<void>;
}

/** Posts to `{apiUrl}/{phoneNumberId}/messages`; maps failures to the error hierarchy the dispatcher reads. */
export function createWhatsAppClient(settings: WhatsAppSettings, logger: () => Logger): WhatsAppClient {
  const agent = new Agent({
    connect: { timeout: settings.timeoutMs },
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
  const url = `${settings.apiUrl}/${encodeURIComponent(settings.phoneNumberId)}/messages`;

  return {
    async post(payload) {
      const conversation = { to: payload.to, type: payload.type };
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(url, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Bearer ${settings.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        });
      } catch (error) {
        throw new UpstreamError('whatsapp', `Graph API unreachable: ${(error as Error).message}`, { retryable: true });
      }
      const text = await response.body.text().catch(() => '');
      let json: { messages?: { id?: string }[]; error?: WaError } = {};
      try {
        json = text ? JSON.parse(text) : {};
      } catch {
        // A proxy's HTML error page: the status decides.
      }
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { messageId: json.messages?.[0]?.id };

      const code = json.error?.code;
      const reason = json.error?.message ?? `HTTP ${status}`;
      if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']) ?? DEFAULT_RETRY_AFTER_MS;
        throw new RateLimitError(`WhatsApp rate limit (${code ?? status}): ${reason}`, retryAfterMs);
      }
      if (code === LIMITS.outsideWindowError) {
        logger().error(
          { ...conversation, platformCode: code },
          'WhatsApp 131047: the 24-hour window with this user is closed; free-form messages are refused until the user writes again (not retried)',
        );
      }
      throw new UpstreamError('whatsapp', `Graph API ${status}: ${reason}`, {
        status,
        retryable: status >= 500 && code !== LIMITS.outsideWindowError,
        details: code === undefined ? {} : { platformCode: code },
      });
    },
    close: () => agent.close(),
  };
}
