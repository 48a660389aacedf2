import { withDeadline } from './runtime/deadline.ts';

/** Waits for `work` at most `ms` (at least `floorMs`); true when it ended in time. Never rejects. */
export function within(work: Promise<unknown>, ms: number, floorMs = 0): Promise<boolean> {
  const ended = work.then(
    () => true,
    () => true,
  );
  return withDeadline(ended, Math.max(ms, floorMs), () => new Error('out of time')).catch(() => false);
}

/** A deadline `ms` from now: `left()` is what remains of it (never negative). */
export function deadlineIn(ms: number): { left(): number } {
  const at = Date.now() + ms;
  return { left: () => Math.max(0, at - Date.now()) };
}
