import { Agent, request } from 'undici';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import { parseRetryAfter } from '../../core/http/retry-after.ts';
import { LIMITS, type WaError, type WaReadPayload, type WaSendPayload, type WhatsAppSettings } from './types.ts';

/** Graph API error codes that mean "slow down" (throughput, pair rate, spam rate, app/account rate). */
const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131048, 131056]);
const DEFAULT_RETRY_AFTER_MS = 6_000;

/**
 * 131047: the user's 24-hour customer-service window is closed, free-form messages are refused until
 * they write again (a template still passes). Not retryable as it is.
 */
export class OutsideWindowError extends UpstreamError {
  constructor(status: number, reason: string) {
    super('whatsapp', `Graph API ${status}: ${reason}`, {
      status,
      retryable: false,
      details: { platformCode: LIMITS.outsideWindowError },
    });
  }
}

export interface WhatsAppClient {
  post(payload: WaSendPayload): Promise<{ messageId?: string }>;
  /** Marks a user's message read with the typing indicator; throws on failure (the caller only logs it). */
  markRead(messageId: string): Promise<void>;
  close(): Promise<void>;
}

interface GraphAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: { messages?: { id?: string }[]; error?: WaError };
}

/** Posts to `{apiUrl}/{phoneNumberId}/messages`; maps failures to the error hierarchy the dispatcher reads. */
export function createWhatsAppClient(settings: WhatsAppSettings): WhatsAppClient {
  const agent = new Agent({
    connect: { timeout: settings.timeoutMs },
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
  const url = `${settings.apiUrl}/${encodeURIComponent(settings.phoneNumberId)}/messages`;

  async function postJson(body: WaSendPayload | WaReadPayload): Promise<GraphAnswer> {
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization: `Bearer ${settings.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new UpstreamError('whatsapp', `Graph API unreachable: ${(error as Error).message}`, { retryable: true });
    }
    const text = await response.body.text().catch(() => '');
    let json: GraphAnswer['json'] = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      // A proxy's HTML error page: the status decides.
    }
    return { status: response.statusCode, headers: response.headers, json };
  }

  function failure({ status, headers, json }: GraphAnswer): Error {
    const code = json.error?.code;
    const reason = json.error?.message ?? `HTTP ${status}`;
    if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
      const retryAfterMs = parseRetryAfter(headers['retry-after']) ?? DEFAULT_RETRY_AFTER_MS;
      return new RateLimitError(`WhatsApp rate limit (${code ?? status}): ${reason}`, retryAfterMs);
    }
    if (code === LIMITS.outsideWindowError) return new OutsideWindowError(status, reason);
    return new UpstreamError('whatsapp', `Graph API ${status}: ${reason}`, {
      status,
      retryable: status >= 500,
      details: code === undefined ? {} : { platformCode: code },
    });
  }

  const ok = (answer: GraphAnswer) => answer.status >= 200 && answer.status < 300;

  return {
    async post(payload) {
      const answer = await postJson(payload);
      if (ok(answer)) return { messageId: answer.json.messages?.[0]?.id };
      throw failure(answer);
    },
    async markRead(messageId) {
      const answer = await postJson({
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: messageId,
        typing_indicator: { type: 'text' },
      });
      if (!ok(answer)) throw failure(answer);
    },
    close: () => agent.close(),
  };
}
