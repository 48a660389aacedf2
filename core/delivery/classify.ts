import { OmnibotError, RateLimitError, UpstreamError } from '../errors.ts';

export type FailureClass =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'retryable' }
  | { kind: 'permanent' };

/** How the dispatcher treats an error thrown by a plugin's `send`. */
export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof RateLimitError) return { kind: 'rate_limited', retryAfterMs: Math.max(0, error.retryAfterMs) };
  if (error instanceof UpstreamError) return error.retryable ? { kind: 'retryable' } : { kind: 'permanent' };
  if (error instanceof OmnibotError) return error.status >= 500 ? { kind: 'retryable' } : { kind: 'permanent' };
  // Anything else (a socket error that escaped the plugin, a timeout) may pass on a later attempt.
  return { kind: 'retryable' };
}

/** The error's code and the platform's own code (HTTP status or API error code) for logs and dead letters. */
export function describeFailure(error: unknown): { code: string; platformCode?: string | number; reason: string } {
  if (error instanceof OmnibotError) {
    const details = error.details ?? {};
    const platformCode = (details['platformCode'] ?? details['upstreamStatus']) as string | number | undefined;
    return platformCode === undefined
      ? { code: error.code, reason: error.message }
      : { code: error.code, platformCode, reason: error.message };
  }
  if (error instanceof Error) return { code: error.name, reason: error.message };
  return { code: 'unknown', reason: String(error) };
}
