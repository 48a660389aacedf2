import { describe, expect, it } from 'vitest';
import { InProgressError, RateLimitError, UnavailableError } from './errors.ts';
import { backoffDelay, type RetryInfo, retry } from './retry.ts';

describe('backoffDelay', () => {
  it('doubles the ceiling on every retry, up to its maximum', () => {
    const none = { baseMs: 100, maxMs: 1_000, jitter: 'none' } as const;
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, none))).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('equal jitter waits half the ceiling plus a random half', () => {
    const options = { baseMs: 100, maxMs: 1_000, jitter: 'equal' } as const;
    expect(backoffDelay(2, { ...options, random: () => 0 })).toBe(100);
    expect(backoffDelay(2, { ...options, random: () => 0.5 })).toBe(150);
    expect(backoffDelay(2, { ...options, random: () => 0.999_999 })).toBe(200);
  });

  it('full jitter waits anywhere up to the ceiling', () => {
    const options = { baseMs: 100, jitter: 'full' } as const;
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { ...options, random: () => 0.25 })).toBe(100);
  });

  it('up jitter waits the ceiling plus up to 20 % more, never less', () => {
    const options = { baseMs: 250, jitter: 'up' } as const;
    expect([1, 2, 3].map((n) => backoffDelay(n, { ...options, random: () => 0 }))).toEqual([250, 500, 1_000]);
    expect(backoffDelay(2, { ...options, random: () => 0.5 })).toBe(550);
    expect(backoffDelay(2, { ...options, random: () => 0.999_999 })).toBe(600);
    for (let retryNumber = 1; retryNumber <= 10; retryNumber++) {
      const delay = backoffDelay(retryNumber, { baseMs: 400, jitter: 'up' });
      expect(delay).toBeGreaterThanOrEqual(400 * 2 ** (retryNumber - 1));
      expect(delay).toBeLessThanOrEqual(1.2 * 400 * 2 ** (retryNumber - 1));
    }
  });

  it('stays within its bounds whatever the random source says', () => {
    for (let retryNumber = 1; retryNumber <= 20; retryNumber++) {
      const delay = backoffDelay(retryNumber, { baseMs: 50, maxMs: 5_000 });
      const ceiling = Math.min(5_000, 50 * 2 ** (retryNumber - 1));
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe('retry', () => {
  const failing = (failures: number, error: () => unknown = () => new Error('down')) => {
    const calls: number[] = [];
    const fn = async (attempt: number) => {
      calls.push(attempt);
      if (calls.length <= failures) throw error();
      return 'ok';
    };
    return { fn, calls };
  };

  it('tries again until it succeeds, telling each wait', async () => {
    const { fn, calls } = failing(2);
    const waits: RetryInfo[] = [];
    const result = await retry(fn, {
      attempts: 3,
      delay: { baseMs: 2, jitter: 'none' },
      onRetry: (_error, info) => waits.push(info),
    });
    expect(result).toBe('ok');
    expect(calls).toEqual([1, 2, 3]);
    expect(waits).toEqual([
      { attempt: 1, delayMs: 2, busy: false },
      { attempt: 2, delayMs: 4, busy: false },
    ]);
  });

  it('throws the last error once the attempts are used up', async () => {
    let n = 0;
    const fn = async () => {
      throw new Error(`failure ${++n}`);
    };
    await expect(retry(fn, { attempts: 3, delay: [1, 1] })).rejects.toThrow('failure 3');
  });

  it('does not retry what shouldRetry refuses', async () => {
    const { fn, calls } = failing(5);
    await expect(retry(fn, { attempts: 5, delay: [1], shouldRetry: () => false })).rejects.toThrow('down');
    expect(calls).toEqual([1]);
  });

  it('follows a schedule, repeating its last entry', async () => {
    const { fn } = failing(3);
    const delays: number[] = [];
    await retry(fn, { attempts: 4, delay: [1, 3], onRetry: (_e, info) => delays.push(info.delayMs) });
    expect(delays).toEqual([1, 3, 3]);
  });

  it("waits an error's own retryAfterMs instead of its backoff", async () => {
    const { fn } = failing(1, () => new RateLimitError('slow down', 7));
    const delays: number[] = [];
    await retry(fn, { attempts: 2, delay: { baseMs: 1_000 }, onRetry: (_e, info) => delays.push(info.delayMs) });
    expect(delays).toEqual([7]);
  });

  it("caps an error's own retryAfterMs at the backoff's maximum, or at maxRetryAfterMs", async () => {
    const slowDown = () => new RateLimitError('slow down', 3_600_000);
    const delays: number[] = [];
    const onRetry = (_e: unknown, info: RetryInfo) => delays.push(info.delayMs);
    await retry(failing(1, slowDown).fn, { attempts: 2, delay: { baseMs: 1, maxMs: 5 }, onRetry });
    await retry(failing(1, slowDown).fn, { attempts: 2, delay: [2, 6], onRetry });
    await retry(failing(1, slowDown).fn, { attempts: 2, delay: [1], maxRetryAfterMs: 3, onRetry });
    expect(delays).toEqual([5, 6, 3]);
  });

  it("with honorRetryAfter false, waits its delay whatever a failure's retryAfterMs says, but a busy answer's still", async () => {
    const delays: number[] = [];
    const onRetry = (_e: unknown, info: RetryInfo) => delays.push(info.delayMs);
    const unavailable = () => new UnavailableError('busy', 'try later', 5_000);
    await retry(failing(1, unavailable).fn, { attempts: 2, delay: [2], honorRetryAfter: false, onRetry });
    const inProgress = () => new InProgressError('still working', 3);
    await retry(failing(1, inProgress).fn, {
      attempts: 1,
      delay: [],
      isBusy: () => true,
      honorRetryAfter: false,
      onRetry,
    });
    expect(delays).toEqual([2, 3]);
  });

  it('asks a busy side again without using up attempts', async () => {
    const { fn, calls } = failing(5, () => new InProgressError('still working', 1));
    const result = await retry(fn, {
      attempts: 1,
      delay: [],
      isBusy: (error) => error instanceof InProgressError,
    });
    expect(result).toBe('ok');
    expect(calls).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('stops at once when its signal aborts, with the last error', async () => {
    const controller = new AbortController();
    const { fn, calls } = failing(10);
    const started = Date.now();
    const pending = retry(fn, { attempts: 10, delay: [60_000], signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    await expect(pending).rejects.toThrow('down');
    expect(calls).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('with finalAttemptOnAbort, makes one last attempt at once when its signal aborts a wait', async () => {
    const controller = new AbortController();
    const { fn, calls } = failing(1);
    const started = Date.now();
    const pending = retry(fn, {
      attempts: 10,
      delay: [60_000],
      signal: controller.signal,
      finalAttemptOnAbort: true,
      onRetry: () => controller.abort(),
    });
    await expect(pending).resolves.toBe('ok');
    expect(calls).toEqual([1, 2]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('with finalAttemptOnAbort, throws when the last attempt fails too, without waiting again', async () => {
    const controller = new AbortController();
    const { fn, calls } = failing(10, () => new InProgressError('still working', 60_000));
    const pending = retry(fn, {
      attempts: 1,
      delay: [],
      isBusy: () => true,
      signal: controller.signal,
      finalAttemptOnAbort: true,
      onRetry: () => controller.abort(),
    });
    await expect(pending).rejects.toThrow('still working');
    expect(calls).toEqual([1, 1]);
  });
});
