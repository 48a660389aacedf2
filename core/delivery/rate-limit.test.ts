import { describe, expect, it } from 'vitest';
import { ChannelPacer, TokenBucket } from './rate-limit.ts';

describe('TokenBucket', () => {
  it('lets a burst through, then paces at the rate', () => {
    const bucket = new TokenBucket({ burst: 3, perSecond: 1 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(1000);
    expect(bucket.take(0)).toBe(2000);
  });

  it('refills with time', () => {
    const bucket = new TokenBucket({ burst: 1, perSecond: 2 }, 0);
    expect(bucket.take(0)).toBe(0);
    expect(bucket.take(100)).toBe(400);
    expect(bucket.take(5_000)).toBe(0);
  });
});

describe('ChannelPacer', () => {
  it('paces one chat without slowing another', () => {
    const pacer = new ChannelPacer({ perChat: { burst: 1, perSecond: 1 }, global: { burst: 30, perSecond: 30 } }, 0);
    expect(pacer.reserve('telegram:1', 0)).toBe(0);
    expect(pacer.reserve('telegram:1', 0)).toBe(1000);
    expect(pacer.reserve('telegram:2', 0)).toBe(0);
  });

  it('applies the global limit across chats', () => {
    const pacer = new ChannelPacer({ global: { burst: 2, perSecond: 30 } }, 0);
    expect(pacer.reserve('a', 0)).toBe(0);
    expect(pacer.reserve('b', 0)).toBe(0);
    expect(pacer.reserve('c', 0)).toBe(34);
  });
});
