import type { MiddlewareHandler } from 'hono';
import { UnavailableError } from '../errors.ts';
import { withDeadline } from '../runtime/deadline.ts';

/** Sent on every answer (the server gate's own 503s too): no MIME sniffing, no referrer leaks. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    try {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    } catch {
      // Immutable headers (a proxied fetch Response): copy the response once.
      c.res = new Response(c.res.body, c.res);
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    }
  };
}

/** How soon to retry a request that ran out of time: its work goes on and usually ends meanwhile. */
const DEADLINE_RETRY_AFTER_MS = 2_000;

/**
 * Every request answers within `timeoutMs`: past it, 503 with Retry-After. The work itself is not
 * cancelled (a turn may still commit): a retry with the same message id gets its answer, never a
 * second one. Streams (SSE) count only until their headers; WebSockets are not HTTP requests here.
 */
export function requestDeadline(timeoutMs: number): MiddlewareHandler {
  return async (_c, next) => {
    await withDeadline(
      next(),
      timeoutMs,
      () =>
        new UnavailableError(
          'request_timeout',
          `no answer within ${timeoutMs} ms; retry with the same message id`,
          DEADLINE_RETRY_AFTER_MS,
        ),
    );
  };
}
