import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';
import { REJECTION_LOG_INTERVAL_MS, throttled, throttledWarning } from './log-throttle.ts';

describe('throttled', () => {
  it('runs at most once per interval, telling how many calls it skipped since', () => {
    let now = 0;
    const runs: number[] = [];
    const gate = throttled(1_000, () => now);
    for (const at of [0, 10, 500, 999, 1_000, 1_500, 5_000]) {
      now = at;
      gate((skipped) => runs.push(skipped));
    }
    expect(runs).toEqual([0, 3, 1]);
  });
});

describe('throttledWarning', () => {
  it('warns about rejected requests at most once a minute, carrying how many were skipped', () => {
    let now = 1_000_000;
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
    const warn = throttledWarning(() => logger, 'webhook signature rejected', { now: () => now });
    for (let i = 0; i < 50; i++) warn({ hasSignature: i % 2 === 0 });
    now += REJECTION_LOG_INTERVAL_MS - 1;
    warn({ hasSignature: true });
    now += 1;
    warn({ hasSignature: false });
    expect(logs).toMatchObject([
      { level: 'warn', msg: 'webhook signature rejected', hasSignature: true, rejectedSinceLastWarning: 0 },
      { level: 'warn', msg: 'webhook signature rejected', hasSignature: false, rejectedSinceLastWarning: 50 },
    ]);
  });
});
