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

describe('ChannelPacer limits', () => {
  it('paces a group (address starting with -) by perGroup, a private chat by perChat', () => {
    // Telegram's budget (plugins/telegram/types.ts); its own test checks the plugin declares it.
    const pacer = new ChannelPacer(
      {
        perChat: { burst: 3, perSecond: 1 },
        perGroup: { burst: 3, perSecond: 20 / 60 },
        global: { burst: 30, perSecond: 30 },
      },
      0,
    );
    const group = [1, 2, 3, 4].map(() => pacer.reserve('telegram:-1001234567890', 0));
    const chat = [1, 2, 3, 4].map(() => pacer.reserve('telegram:123456789', 0));
    expect(group.slice(0, 3)).toEqual([0, 0, 0]);
    expect(Math.round(group[3]! / 1000)).toBe(3);
    expect(chat).toEqual([0, 0, 0, 1000]);
  });

  it('remembers a bounded number of chats, forgetting the least recently used', () => {
    const pacer = new ChannelPacer({ perChat: { burst: 1, perSecond: 1 } }, 0, { maxTracked: 3 });
    for (let i = 0; i < 10; i++) pacer.reserve(`chat:${i}`, 0);
    expect(pacer.tracked).toBe(3);
    // chat:9 is still remembered (and still paced).
    expect(pacer.reserve('chat:9', 0)).toBe(1000);
  });

  it('drops idle chats as it goes, without waiting for the bound', () => {
    const pacer = new ChannelPacer({ perChat: { burst: 1, perSecond: 1 } }, 0);
    for (let i = 0; i < 100; i++) pacer.reserve(`chat:${i}`, i * 2000);
    expect(pacer.tracked).toBeLessThanOrEqual(2);
  });
});
