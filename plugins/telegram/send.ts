import { Agent, request } from 'undici';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import type { TelegramSettings, TgResponse } from './types.ts';

export interface TelegramClient {
  /** Calls a Bot API method; throws `RateLimitError` (429) or `UpstreamError` (retryable on 5xx/network). */
  call<T = unknown>(method: string, params: object): Promise<T>;
  close(): Promise<void>;
}

/** `{apiUrl}/bot{token}/{method}` with JSON bodies. The URL holds the token: it is never logged. */
export function createTelegramClient(settings: TelegramSettings): TelegramClient {
  const agent = new Agent({
    connect: { timeout: settings.timeoutMs },
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
  });
  return {
    async call<T>(method: string, params: object): Promise<T> {
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(`${settings.apiUrl}/bot${settings.token}/${method}`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(params),
        });
      } catch (error) {
        throw new UpstreamError('telegram', `${method}: Bot API unreachable (${(error as Error).name})`, {
          retryable: true,
        });
      }
      const text = await response.body.text().catch(() => '');
      let json: TgResponse<T> = { ok: false };
      try {
        json = text ? (JSON.parse(text) as TgResponse<T>) : json;
      } catch {
        // A proxy's error page: the status decides.
      }
      const status = response.statusCode;
      if (status >= 200 && status < 300 && json.ok) return json.result as T;

      const code = json.error_code ?? status;
      const reason = json.description ?? `HTTP ${status}`;
      if (code === 429) {
        const header = response.headers['retry-after'];
        const given = json.parameters?.retry_after ?? Number(Array.isArray(header) ? header[0] : header);
        // A missing or non-numeric value (an HTTP date from a proxy) falls back to 1 s.
        const seconds = Number.isFinite(given) && given >= 0 ? given : 1;
        throw new RateLimitError(`${method}: ${reason}`, seconds * 1000);
      }
      throw new UpstreamError('telegram', `${method}: ${reason}`, {
        status,
        // 400 (chat not found, bad request), 401 (token), 403 (bot blocked) will not pass on a retry.
        retryable: status >= 500 || status === 0,
        details: { platformCode: code },
      });
    },
    close: () => agent.close(),
  };
}
