/**
 * One error hierarchy. Each error carries its HTTP answer (`getResponse()`, as Hono's
 * `HTTPException` does); `core/http/errors.ts` renders every error through it in the app's `onError`.
 */

/** The JSON body of every error answer. */
export interface ErrorBody {
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

export class OmnibotError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: Record<string, unknown>;
  /** When set, the HTTP answer carries `Retry-After` (seconds, rounded up). */
  retryAfterMs?: number;

  constructor(code: string, message: string, status = 500, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    if (details) this.details = details;
  }

  /** The JSON body of this error's HTTP answer: `{ error: <code>, message, details? }`. */
  toBody(): ErrorBody {
    return { error: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }

  /** This error's HTTP answer: its status, its JSON body, and `Retry-After` when `retryAfterMs` is set. */
  getResponse(): Response {
    const headers = new Headers({ 'content-type': 'application/json' });
    if (this.retryAfterMs !== undefined) headers.set('retry-after', String(retryAfterSeconds(this.retryAfterMs)));
    return new Response(JSON.stringify(this.toBody()), { status: this.status, headers });
  }
}

/** `Retry-After` in whole seconds (at least 1) for a wait in milliseconds. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** A dependency (Redis, a deadline) is not available right now: 503 with `Retry-After`. */
export class UnavailableError extends OmnibotError {
  constructor(code: string, message: string, retryAfterMs = 1_000, details?: Record<string, unknown>) {
    super(code, message, 503, details);
    this.retryAfterMs = retryAfterMs;
  }
}

/** The same request is being processed by a live attempt: 409 with `Retry-After`; retry for the answer. */
export class InProgressError extends OmnibotError {
  constructor(message: string, retryAfterMs = 1_000, details?: Record<string, unknown>) {
    super('in_progress', message, 409, details);
    this.retryAfterMs = retryAfterMs;
  }
}

export class ValidationError extends OmnibotError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_request', message, 400, details);
  }
}

export class PayloadTooLargeError extends OmnibotError {
  constructor(limitBytes: number) {
    super('payload_too_large', `body exceeds ${limitBytes} bytes`, 413, { limitBytes });
  }
}

export class AuthError extends OmnibotError {
  constructor(message = 'invalid or missing credentials') {
    super('unauthorized', message, 401);
  }
}

export class ForbiddenError extends OmnibotError {
  constructor(message = 'forbidden') {
    super('forbidden', message, 403);
  }
}

export class NotFoundError extends OmnibotError {
  constructor(message = 'not found') {
    super('not_found', message, 404);
  }
}

/** The request is well formed but does not apply to the current state (unknown conversation, stale run). */
export class ConflictError extends OmnibotError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('conflict', message, 409, details);
  }
}

export class RateLimitError extends OmnibotError {
  declare retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super('rate_limited', message, 429, { retryAfterMs });
    this.retryAfterMs = retryAfterMs;
  }
}

/** An upstream (CMMS, Airflow, a channel API) failed or could not be reached. */
export class UpstreamError extends OmnibotError {
  readonly upstream: string;
  readonly retryable: boolean;
  constructor(
    upstream: string,
    message: string,
    opts: { status?: number; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super('upstream_error', message, 502, { upstream, upstreamStatus: opts.status, ...opts.details });
    this.upstream = upstream;
    this.retryable = opts.retryable ?? true;
  }
}

/**
 * A workflow cannot be started: its DAG is missing or paused, or the orchestrator is down. 503 with
 * `Retry-After`: soon when the orchestrator is unreachable, later when a person has to act.
 */
export class WorkflowUnavailableError extends OmnibotError {
  readonly reason: 'dag_missing' | 'dag_paused' | 'unreachable' | 'rejected';
  constructor(
    reason: WorkflowUnavailableError['reason'],
    message: string,
    retryAfterMs = reason === 'unreachable' ? 5_000 : 60_000,
  ) {
    super('workflow_unavailable', message, 503, { reason });
    this.reason = reason;
    this.retryAfterMs = retryAfterMs;
  }
}

export class ConfigError extends OmnibotError {
  constructor(message: string) {
    super('config_error', message, 500);
  }
}
