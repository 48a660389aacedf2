/**
 * The one retry helper: exponential backoff with jitter (`backoffDelay`) and a loop that uses it
 * (`retry`). Every hand-written retry in core goes through here.
 */

/**
 * How much of a backoff is random: `equal` waits half the ceiling plus a random half, `full` waits
 * anywhere up to the ceiling (spreads clients best), `up` waits the ceiling plus up to 20 % more
 * (never shorter than the ceiling: for waits that must last), `none` waits the ceiling.
 */
export type Jitter = 'none' | 'full' | 'equal' | 'up';

/** How much longer than its ceiling an `up` jittered wait may be. */
const UP_JITTER = 0.2;

export interface BackoffOptions {
  /** The first retry's ceiling; it doubles on every later retry. */
  baseMs: number;
  /** The ceiling never grows past this. Default: unbounded. */
  maxMs?: number;
  /** Default `equal`. */
  jitter?: Jitter;
  /** A source in [0, 1); tests pass a constant. Default `Math.random`. */
  random?: () => number;
}

/** The wait before retry number `retry` (1 for the first): `baseMs · 2^(retry−1)`, capped, then jittered. */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs ?? Number.POSITIVE_INFINITY, options.baseMs * 2 ** Math.max(0, retry - 1));
  const random = options.random ?? Math.random;
  switch (options.jitter ?? 'equal') {
    case 'none':
      return ceiling;
    case 'full':
      return Math.round(ceiling * random());
    case 'equal':
      return Math.round(ceiling / 2 + (ceiling / 2) * random());
    case 'up':
      return Math.round(ceiling * (1 + UP_JITTER * random()));
  }
}

/** What `onRetry` is told before each wait. */
export interface RetryInfo {
  /** The attempt that just failed (1 for the first). Busy answers do not count. */
  attempt: number;
  delayMs: number;
  /** True when the error was a busy answer (see `RetryOptions.isBusy`), not a failure. */
  busy: boolean;
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Whether a failure is worth another attempt (default: every one). Not asked after the last attempt. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /**
   * The wait before each retry: a backoff, a fixed schedule (its n-th entry before the n-th retry), or
   * a function of the retry number. An error's own `retryAfterMs` (a 429, a 409 in progress) wins,
   * up to `maxRetryAfterMs` (see `honorRetryAfter`).
   */
  delay: BackoffOptions | readonly number[] | ((retry: number, error: unknown) => number);
  /**
   * Whether a failure's own `retryAfterMs` replaces the delay (default true). False when the errors
   * carry a wait meant for this service's own HTTP clients, not for this loop: then only a busy
   * answer's is waited.
   */
  honorRetryAfter?: boolean;
  /**
   * The longest wait a failure's own `retryAfterMs` may ask for (a busy answer's is not capped: it
   * does not use up attempts). Default: the backoff's `maxMs`, else the schedule's longest entry,
   * else 60 s.
   */
  maxRetryAfterMs?: number;
  /**
   * The other side is busy, not failing (e.g. a 409 "in progress" from another holder): wait its
   * `retryAfterMs` (else the next delay) and ask again without using up an attempt.
   */
  isBusy?: (error: unknown) => boolean;
  /** Called before each wait (to log it). */
  onRetry?: (error: unknown, info: RetryInfo) => void;
  /**
   * Aborting ends the current wait at once; then no further attempt is made and the last error is
   * thrown, unless `finalAttemptOnAbort`.
   */
  signal?: AbortSignal;
  /**
   * When `signal` aborts during a wait, make one last attempt (at once) before giving up: for work
   * that is lost if not done now (a message the webhook already answered).
   */
  finalAttemptOnAbort?: boolean;
  /** Waits that do not keep the process alive (background work that shutdown may abandon). */
  unref?: boolean;
}

/**
 * Runs `fn` until it resolves, a failure is not worth retrying, the attempts are used up or `signal`
 * aborts (see `finalAttemptOnAbort`); then throws the last error. `fn` gets the attempt number (1 for
 * the first; a busy answer's next call keeps it).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let attempt = 1;
  for (;;) {
    try {
      return await fn(attempt);
    } catch (error) {
      // Aborted before or during this attempt (or this was the final one): no more waiting.
      if (options.signal?.aborted) throw error;
      const busy = options.isBusy?.(error) ?? false;
      if (!busy && (attempt >= options.attempts || !(options.shouldRetry?.(error, attempt) ?? true))) throw error;
      const delayMs = waitBefore(attempt, error, busy, options);
      options.onRetry?.(error, { attempt, delayMs, busy });
      await sleep(delayMs, options);
      if (options.signal?.aborted && !options.finalAttemptOnAbort) throw error;
      if (!busy) attempt += 1;
    }
  }
}

/** The wait before the next attempt: the error's own `retryAfterMs` (capped unless busy) when honored, else the delay. */
function waitBefore(attempt: number, error: unknown, busy: boolean, options: RetryOptions): number {
  const own = retryAfterOf(error);
  if (busy && own !== undefined) return own;
  if (own === undefined || options.honorRetryAfter === false) return delayBefore(attempt, error, options.delay);
  return Math.min(own, options.maxRetryAfterMs ?? defaultRetryAfterCap(options.delay));
}

/** The longest own wait an error may ask for when the caller set no `maxRetryAfterMs`. */
function defaultRetryAfterCap(delay: RetryOptions['delay']): number {
  if (isSchedule(delay)) return delay.length > 0 ? Math.max(...delay) : DEFAULT_MAX_RETRY_AFTER_MS;
  if (typeof delay === 'function') return DEFAULT_MAX_RETRY_AFTER_MS;
  return delay.maxMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
}

const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

function delayBefore(retryNumber: number, error: unknown, delay: RetryOptions['delay']): number {
  if (typeof delay === 'function') return delay(retryNumber, error);
  if (isSchedule(delay)) return delay[Math.min(retryNumber, delay.length) - 1] ?? 0;
  return backoffDelay(retryNumber, delay);
}

const isSchedule = (delay: RetryOptions['delay']): delay is readonly number[] => Array.isArray(delay);

/** An error's own wait (`retryAfterMs`, as `RateLimitError` and `InProgressError` carry), if any. */
function retryAfterOf(error: unknown): number | undefined {
  const ms = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/** A wait that ends early when `signal` aborts. */
function sleep(ms: number, options: Pick<RetryOptions, 'signal' | 'unref'>): Promise<void> {
  const { signal } = options;
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (options.unref) timer.unref();
    signal?.addEventListener('abort', done, { once: true });
  });
}
