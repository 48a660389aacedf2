import type { Context } from 'hono';
import { OmnibotError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { asUnavailable } from './unavailable.ts';

/** The client went away (closed the connection mid-request): nobody reads the answer. */
function clientAborted(error: Error, c: Context): boolean {
  if (c.req.raw.signal?.aborted) return true;
  const code = (error as { code?: unknown }).code;
  return error.name === 'AbortError' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * The app's `onError`: every error answers through its own `getResponse()` (`{ error: <code>, message,
 * details? }`, its status, Retry-After). A store outage (Redis down or stalled) is a 503 with
 * Retry-After, never a 500; anything else outside the hierarchy is a 500 `internal_error`.
 */
export function errorHandler(logger: Logger) {
  return (error: Error, c: Context) => {
    const request = { method: c.req.method, path: c.req.path };
    if (!(error instanceof OmnibotError) && clientAborted(error, c)) {
      logger.debug({ ...request, err: error }, 'request aborted by the client');
      return render(c, new ClientClosedError());
    }
    const known = error instanceof OmnibotError ? error : asUnavailable(error);
    if (!known) {
      logger.error({ ...request, err: error }, 'unhandled error');
      return render(c, new InternalError());
    }
    logger[levelOf(known)]({ ...request, code: known.code, status: known.status, err: error }, 'request failed');
    return render(c, known);
  };
}

/**
 * A refusal (4xx) is the caller's: info (a webhook's plugin logs which check failed, at warn). An
 * error that says when to retry (a store outage, `UnavailableError`) is transient and logged once by
 * its source (the Redis connection): each refused request is a warning. Anything else ≥ 500: error.
 */
function levelOf(error: OmnibotError): 'info' | 'warn' | 'error' {
  if (error.status < 500) return 'info';
  return error.retryAfterMs !== undefined ? 'warn' : 'error';
}

/** The error's own answer, with the headers already set on the context (CORS, security) kept. */
function render(c: Context, error: OmnibotError): Response {
  const response = error.getResponse();
  return c.newResponse(response.body, response);
}

/** The client closed the connection mid-request: nobody reads this answer. */
class ClientClosedError extends OmnibotError {
  constructor() {
    super('client_closed_request', 'the client closed the request', 400);
  }
}

/** An error outside the hierarchy: its text stays in the log, never in the answer. */
class InternalError extends OmnibotError {
  constructor() {
    super('internal_error', 'internal error', 500);
  }
}
