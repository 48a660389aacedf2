import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../errors.ts';
import { clientAddress } from './client-address.ts';
import { hasControlCharacters } from './message-text.ts';
import { createRateLimits } from './rate-limits.ts';
import { DEFAULT_LIMITS, loadLimitSettings } from './settings.ts';
import { SlotCounter } from './slots.ts';

describe('limit settings', () => {
  it('reads every variable, 0 turning a limit off, and refuses nonsense', () => {
    expect(loadLimitSettings({})).toEqual(DEFAULT_LIMITS);
    expect(loadLimitSettings({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' }).perAddressPerMinute).toBe(0);
    expect(() => loadLimitSettings({ WS_MAX_SOCKETS_PER_TOKEN: '-1' })).toThrow(ConfigError);
    expect(() => loadLimitSettings({ SSE_MAX_STREAMS_PER_TOKEN: 'many' })).toThrow(/SSE_MAX_STREAMS_PER_TOKEN/);
  });
});

describe('client address', () => {
  it('is the socket peer unless proxies are trusted, and then never a client-written entry', () => {
    expect(clientAddress('::ffff:10.0.0.9', '1.2.3.4', 0)).toBe('10.0.0.9');
    // One trusted proxy: the entry it appended (the last); what the client wrote before it is ignored.
    expect(clientAddress('10.0.0.2', 'forged, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', '203.0.113.7, 10.0.0.1', 2)).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
    expect(clientAddress('198.51.100.1', 'forged', 2)).toBe('198.51.100.1'); // did not come through both proxies
  });
});

describe('slots and rates', () => {
  it('holds at most max slots per key and frees them once each', () => {
    const slots = new SlotCounter(2);
    const a = slots.acquire('k')!;
    slots.acquire('k');
    expect(slots.acquire('k')).toBeNull();
    a();
    a();
    expect(slots.held('k')).toBe(1);
    expect(new SlotCounter(0).acquire('k')).not.toBeNull();
  });

  it('refuses past the budget with a RateLimitError that carries Retry-After', async () => {
    const rates = createRateLimits({ ...DEFAULT_LIMITS, perConversationPerMinute: 2 });
    await rates.conversation('web:x');
    await rates.conversation('web:x');
    await expect(rates.conversation('web:x')).rejects.toMatchObject({ status: 429, code: 'rate_limited' });
    await expect(rates.conversation('web:y')).resolves.toBeUndefined();
  });

  it('does not count a refused message in the budgets checked after the refusing one', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    try {
      // One a minute, two a day: the second message is refused per minute and must not use up the day.
      const rates = createRateLimits({ ...DEFAULT_LIMITS, perConversationPerMinute: 1, perConversationPerDay: 2 });
      await rates.message(undefined, 'web:x');
      await expect(rates.message(undefined, 'web:x')).rejects.toMatchObject({ message: /for this conversation:/ });
      await vi.advanceTimersByTimeAsync(61_000);
      await expect(rates.message(undefined, 'web:x')).resolves.toBeUndefined();
      await expect(rates.message(undefined, 'web:y')).resolves.toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
    // An address refused: the conversation's budget is not used up either.
    const byAddress = createRateLimits({ ...DEFAULT_LIMITS, perAddressPerMinute: 1, perConversationPerMinute: 2 });
    await byAddress.message('10.0.0.1', 'web:a');
    for (let i = 0; i < 3; i++) {
      await expect(byAddress.message('10.0.0.1', 'web:a')).rejects.toMatchObject({ message: /from this address/ });
    }
    await new Promise((resolve) => setTimeout(resolve, 10)); // the points given back
    await expect(byAddress.message('10.0.0.2', 'web:a')).resolves.toBeUndefined();
  });

  it('knows control characters from text people type', () => {
    expect(hasControlCharacters('hola\n\tqué tal\r\n')).toBe(false);
    expect(hasControlCharacters('a\u0001b')).toBe(true);
    expect(hasControlCharacters('\u007f')).toBe(true);
  });
});
