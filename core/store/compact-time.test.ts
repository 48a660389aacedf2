import { describe, expect, it } from 'vitest';
import { compactTime, timeOf } from './compact-time.ts';

describe('compact times', () => {
  it('keeps an ISO time as epoch ms and reads it back the same, again and again', () => {
    const at = '2026-12-03T13:05:17.123Z';
    for (let i = 0; i < 3; i++) {
      expect(compactTime(at)).toBe(Date.parse(at));
      expect(timeOf(compactTime(at))).toBe(at);
    }
  });

  it('keeps anything that would not read back the same as it is', () => {
    for (const at of ['then', '2026-12-03T13:05:17Z', '2026-12-03T13:05:17.123+01:00', '2026-02-30T00:00:00.000Z']) {
      expect(compactTime(at)).toBe(at);
      expect(timeOf(compactTime(at))).toBe(at);
    }
  });

  it('stays right past the times it remembers', () => {
    const times = Array.from({ length: 200 }, (_, i) => new Date(Date.UTC(2026, 11, 3, 0, 0, i)).toISOString());
    for (const at of [...times, ...times]) expect(timeOf(compactTime(at))).toBe(at);
  });
});
