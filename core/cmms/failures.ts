import catalog from '../../workflows/catalog.json' with { type: 'json' };
import { UpstreamError } from '../errors.ts';
import { cmmsErrorText } from './v2-errors.ts';

/**
 * The CMMS client's failures as `UpstreamError`s, shaped so that `workflowErrorOf` finds the
 * catalog's code (`cmmsFailures`): the status in `details.upstreamStatus`, `details.badResponse`
 * for a 2xx that is not what the API documents, neither when there was no answer.
 */

/** Answers that mean "busy, ask again later" (`cmms_busy` in the catalog). */
export const BUSY_STATUSES: ReadonlySet<number> = new Set([408, 429]);

/** The longest `Retry-After` of a busy answer a read waits for before asking again (from the catalog). */
export const RETRY_AFTER_MAX_MS: number = catalog.cmms.retryAfterMaxSeconds * 1000;

/** No answer (refused, reset, timed out): the call may be retried. */
export function failed(method: string, path: string, error: unknown): UpstreamError {
  return new UpstreamError('cmms', `CMMS ${method} ${path} failed: ${(error as Error).message}`, { retryable: true });
}

/** The CMMS answered with an error status: retryable when it is a 5xx. */
export function answered(method: string, path: string, status: number, text: string): UpstreamError {
  return new UpstreamError('cmms', `CMMS ${method} ${path} answered ${status}: ${cmmsErrorText(text)}`, {
    status,
    retryable: status >= 500,
  });
}

/** The CMMS answered 2xx with a body that is not what its API documents (`cmms_bad_response`). */
export function badResponse(message: string): UpstreamError {
  return new UpstreamError('cmms', message, { retryable: false, details: { badResponse: true } });
}

/**
 * Busy (408, 429): a read asks again after `Retry-After` (else after its backoff), unless the CMMS
 * asks for a longer wait than `RETRY_AFTER_MAX_MS`.
 */
export function busy(method: string, path: string, status: number, waitMs: number | undefined): UpstreamError {
  const tooLong = waitMs !== undefined && waitMs > RETRY_AFTER_MAX_MS;
  const error = new UpstreamError('cmms', `CMMS ${method} ${path} answered ${status}: busy`, {
    status,
    retryable: !tooLong,
  });
  if (waitMs !== undefined && !tooLong) error.retryAfterMs = waitMs;
  return error;
}

/** A refused login (a 4xx but a busy one) is a 401, `cmms_auth`; no answer, a 5xx or busy stay as they are. */
export function refusedLogin(error: unknown): unknown {
  const status = error instanceof UpstreamError ? (error.details?.upstreamStatus as number | undefined) : undefined;
  if (status === undefined || status >= 500 || BUSY_STATUSES.has(status)) return error;
  return new UpstreamError('cmms', `CMMS refused the login (${status})`, { status: 401, retryable: false });
}

/**
 * A failure of a call made with a user's own token, marked `details.asUser` (so their 403 is
 * `not_allowed`); a 401 also `details.identityExpired` (their CMMS session is gone: a logout, an
 * expired token), which the runtime reads to ask the user to link again. Other errors pass unchanged.
 */
export function asUserError(error: unknown): unknown {
  if (!(error instanceof UpstreamError)) return error;
  const status = error.details?.upstreamStatus as number | undefined;
  const { upstream: _upstream, upstreamStatus: _status, ...details } = error.details ?? {};
  const marked = new UpstreamError('cmms', error.message, {
    ...(status === undefined ? {} : { status }),
    retryable: error.retryable,
    details: { ...details, asUser: true, ...(status === 401 ? { identityExpired: true } : {}) },
  });
  if (error.retryAfterMs !== undefined) marked.retryAfterMs = error.retryAfterMs;
  return marked;
}
