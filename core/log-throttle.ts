import type { Logger } from './log.ts';

/** Warnings anyone can trigger (forged webhook requests) are logged at most once per this interval. */
export const REJECTION_LOG_INTERVAL_MS = 60_000;

/** Runs `log` at most once per `intervalMs`, telling it how many calls were skipped since the last run. */
export function throttled(intervalMs: number, now: () => number = Date.now) {
  let last = Number.NEGATIVE_INFINITY;
  let skipped = 0;
  return (log: (skipped: number) => void): void => {
    const at = now();
    if (at - last < intervalMs) {
      skipped += 1;
      return;
    }
    last = at;
    const count = skipped;
    skipped = 0;
    log(count);
  };
}

export interface ThrottledWarningOptions {
  /** Default `REJECTION_LOG_INTERVAL_MS` (one minute). */
  intervalMs?: number;
  now?: () => number;
}

/**
 * A warning about rejected requests (a bad signature or secret), logged at most once per interval
 * with `rejectedSinceLastWarning`: how many were rejected without a warning since the previous one.
 * One per channel. Pass only fields the gateway chose: never the caller's query string or body.
 */
export function throttledWarning(logger: () => Logger, msg: string, options: ThrottledWarningOptions = {}) {
  const gate = throttled(options.intervalMs ?? REJECTION_LOG_INTERVAL_MS, options.now);
  return (fields: Record<string, unknown> = {}): void =>
    gate((skipped) => logger().warn({ ...fields, rejectedSinceLastWarning: skipped }, msg));
}
