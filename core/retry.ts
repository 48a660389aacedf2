/**
 * The one retry helper: exponential backoff with jitter (`backoffDelay`) and a loop that uses it
 * (`retry`). Every hand-written retry in core goes through here.
 */

/**
 * How much of a backoff is random: `equal` waits half the ceiling plus a random half (never
 * hurries), `full` waits anywhere up to the ceiling (spreads clients best), `none` waits the ceiling.
 */
export type Jitter = 'none' | 'full' | 'equal';

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
   * a function of the retry number. An error's own `retryAfterMs` (a 429, a 409 in progress) wins.
   */
  delay: BackoffOptions | readonly number[] | ((retry: number, error: unknown) => number);
  /**
   * The other side is busy, not failing (e.g. a 409 "in progress" from another holder): wait its
   * `retryAfterMs` (else the next delay) and ask again without using up an attempt.
   */
  isBusy?: (error: unknown) => boolean;
  /** Called before each wait (to log it). */
  onRetry?: (error: unknown, info: RetryInfo) => void;
  /** Once aborted, no further attempt is made: the last error is thrown. */
  signal?: AbortSignal;
  /** Waits that do not keep the process alive (background work that shutdown may abandon). */
  unref?: boolean;
}

/**
 * Runs `fn` until it resolves, a failure is not worth retrying, the attempts are used up or `signal`
 * aborts; then throws the last error. `fn` gets the attempt number (1 for the first).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let attempt = 1;
  for (;;) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const busy = options.isBusy?.(error) ?? false;
      if (!busy && (attempt >= options.attempts || !(options.shouldRetry?.(error, attempt) ?? true))) throw error;
      const delayMs = retryAfterOf(error) ?? delayBefore(attempt, error, options.delay);
      options.onRetry?.(error, { attempt, delayMs, busy });
      await sleep(delayMs, options);
      if (options.signal?.aborted) throw error;
      if (!busy) attempt += 1;
    }
  }
}

function delayBefore(retryNumber: number, error: unknown, delay: RetryOptions['delay']): number {
  if (typeof delay === 'function') return delay(retryNumber, error);
  if (isSchedule(delay)) return delay[Math.min(retryNumber, delay.length) - 1] ?? 0;
  return backoffDelay(retryNumber, delay);
}

const isSchedule = (delay: RetryOptions['delay']): delay is readonly number[] => Array.isArray(delay);

/** An error's own wait (`retryAfterMs`, as `RateLimitError` and `InProgressError` carry), if any. */
export function retryAfterOf(error: unknown): number | undefined {
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
