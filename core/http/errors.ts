import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { OmnibotError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** The single mapping from errors to HTTP answers: `{ error: <code>, message, details? }`. */
export function errorHandler(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof OmnibotError) {
      const level = error.status >= 500 ? 'error' : 'warn';
      logger[level](
        { method: c.req.method, path: c.req.path, code: error.code, status: error.status, err: error },
        'request failed',
      );
      if (error.retryAfterMs !== undefined) {
        c.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
      }
      return c.json(
        { error: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
        error.status as ContentfulStatusCode,
      );
    }
    logger.error({ method: c.req.method, path: c.req.path, err: error }, 'unhandled error');
    return c.json({ error: 'internal_error', message: 'internal error' }, 500);
  };
}
