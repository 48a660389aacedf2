import type { ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { UnavailableError } from '../errors.ts';

/** Sent on every answer (the server gate's own 503s too): no MIME sniffing, no referrer leaks. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
const SECURITY_HEADER_LIST = Object.entries(SECURITY_HEADERS);

/** The Node response behind the request, when served by @hono/node-server (`app.fetch(req, { outgoing })`). */
function nodeResponse(c: Context): ServerResponse | undefined {
  return (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
}

/**
 * Served by Node: sets the security headers on the Node response, which `writeHead` merges into
 * every answer (errors and streams included); cheaper than `c.res.headers`, which builds a fetch
 * `Headers`. False elsewhere (`app.request()`, the own-calls listener): set them with `setOnResponse`.
 */
function setOnNodeResponse(c: Context): boolean {
  const outgoing = nodeResponse(c);
  if (!outgoing || outgoing.headersSent) return false;
  for (const [name, value] of SECURITY_HEADER_LIST) outgoing.setHeader(name, value);
  return true;
}

function setOnResponse(c: Context): void {
  try {
    for (const [name, value] of SECURITY_HEADER_LIST) c.res.headers.set(name, value);
  } catch {
    // Immutable headers (a proxied fetch Response): copy the response once.
    c.res = new Response(c.res.body, c.res);
    for (const [name, value] of SECURITY_HEADER_LIST) c.res.headers.set(name, value);
  }
}

/** How soon to retry a request that ran out of time: its work goes on and usually ends meanwhile. */
const DEADLINE_RETRY_AFTER_MS = 2_000;

/**
 * The middleware of every request: the security headers on every answer, and an answer within
 * `timeoutMs`: past it, 503 with Retry-After. The work itself is not cancelled (a turn may still
 * commit): a retry with the same message id gets its answer, never a second one. Streams (SSE) count
 * only until their headers; WebSockets are not HTTP requests here. One middleware, not two: one step
 * less of Hono's chain on every request.
 */
export function securityHeadersAndDeadline(timeoutMs: number): MiddlewareHandler {
  const expired = deadlineError(timeoutMs);
  const elsewhere = async (c: Context, next: Next) => {
    try {
      await withinDeadline(next(), timeoutMs, expired);
    } catch (error) {
      // `app.onError` renders it next, keeping the headers already on `c.res`.
      setOnResponse(c);
      throw error;
    }
    setOnResponse(c);
  };
  return (c, next) => (setOnNodeResponse(c) ? withinDeadline(next(), timeoutMs, expired) : elsewhere(c, next));
}

function deadlineError(timeoutMs: number): () => UnavailableError {
  return () =>
    new UnavailableError(
      'request_timeout',
      `no answer within ${timeoutMs} ms; retry with the same message id`,
      DEADLINE_RETRY_AFTER_MS,
    );
}

/** `work`, or `expired()` past `timeoutMs`: one promise and one timer (no `Promise.race`: every request runs it). */
function withinDeadline(work: Promise<void>, timeoutMs: number, expired: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(expired()), timeoutMs);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
