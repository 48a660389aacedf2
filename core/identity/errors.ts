import { OmnibotError, UpstreamError } from '../errors.ts';

/** The CMMS refused the username or password of a login (link page, admin): 401 `link_refused`. */
export class LinkRefusedError extends OmnibotError {
  constructor(message = 'the CMMS refused the username or password') {
    super('link_refused', message, 401);
  }
}

/**
 * The CMMS login could not be done right now (no answer, a 5xx, busy, a timeout): 503 with
 * `Retry-After`, retryable. Still an `UpstreamError` (`upstream_error`), as every CMMS failure.
 */
export class LoginUnavailableError extends UpstreamError {
  override readonly status: number = 503;
  constructor(message: string, opts: { status?: number; retryAfterMs?: number } = {}) {
    super('cmms', message, { retryable: true, ...(opts.status !== undefined ? { status: opts.status } : {}) });
    this.retryAfterMs = opts.retryAfterMs ?? 5_000;
  }
}

/** The conversation has no live link (none, or the CMMS refused its token): 403 `identity_expired`. */
export class IdentityExpiredError extends OmnibotError {
  constructor(message = 'the conversation has no live CMMS link: the user must link their account again') {
    super('identity_expired', message, 403);
  }
}

/**
 * The conversation's sender is not authenticated (an open REST web conversation, see
 * `IdentityServiceOptions.trusts`): it may never hold a CMMS link. 403 `link_not_allowed`.
 */
export class LinkNotAllowedError extends OmnibotError {
  constructor(message = 'this conversation’s sender is not authenticated: it cannot link a CMMS account') {
    super('link_not_allowed', message, 403);
  }
}
