import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { OmnibotError, retryAfterSeconds } from '../errors.ts';
import type { Logger } from '../log.ts';
import { asUnavailable } from './unavailable.ts';

/** The client went away (closed the connection mid-request): nobody reads the answer. */
function clientAborted(error: Error, c: Context): boolean {
  if (c.req.raw.signal?.aborted) return true;
  const code = (error as { code?: unknown }).code;
  return error.name === 'AbortError' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * The single mapping from errors to HTTP answers: `{ error: <code>, message, details? }`. A store
 * outage (Redis down or stalled) is a 503 with Retry-After, never a 500.
 */
export function errorHandler(logger: Logger) {
  return (error: Error, c: Context) => {
    if (!(error instanceof OmnibotError) && clientAborted(error, c)) {
      logger.debug({ method: c.req.method, path: c.req.path, err: error }, 'request aborted by the client');
      return c.json({ error: 'client_closed_request', message: 'the client closed the request' }, 400);
    }
    const known = error instanceof OmnibotError ? error : asUnavailable(error);
    if (known) {
      // An outage is logged once by the Redis connection; each refused request is only a warning.
      const level = known === error && known.status >= 500 ? 'error' : 'warn';
      logger[level](
        { method: c.req.method, path: c.req.path, code: known.code, status: known.status, err: error },
        'request failed',
      );
      if (known.retryAfterMs !== undefined) {
        c.header('retry-after', String(retryAfterSeconds(known.retryAfterMs)));
      }
      return c.json(
        { error: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) },
        known.status as ContentfulStatusCode,
      );
    }
    logger.error({ method: c.req.method, path: c.req.path, err: error }, 'unhandled error');
    return c.json({ error: 'internal_error', message: 'internal error' }, 500);
  };
}
