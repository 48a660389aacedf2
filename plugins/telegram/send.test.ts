import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOutboundDispatcher } from '../../core/delivery/dispatcher.ts';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import { PluginRegistry } from '../../core/plugin.ts';
import { telegramFake } from '../../test/channels/fakes/telegram.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';
import { createTelegramPlugin } from './index.ts';

let platform: PlatformServer;
beforeAll(async () => {
  platform = await startPlatformServer([telegramFake({ token: '123:ABC' })]);
});
afterAll(() => platform.close());
beforeEach(() => platform.reset());

const plugin = (token = '123:ABC') =>
  createTelegramPlugin({ token, webhookSecret: 'secret', apiUrl: platform.apiUrl('telegram'), timeoutMs: 2000 });

describe('Telegram send', () => {
  it('calls sendMessage on /bot{token}/', async () => {
    await plugin().send({ conversationId: 'telegram:42', text: 'Hola' });
    expect(platform.requests[0]).toMatchObject({ operation: 'sendMessage', body: { chat_id: '42', text: 'Hola' } });
  });

  it('throws RateLimitError with parameters.retry_after on 429', async () => {
    platform.rateLimitNext('telegram', 7);
    const error = await plugin()
      .send({ conversationId: 'telegram:42', text: 'Hola' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(7000);
  });

  it('falls back to 1 s when a 429 carries a Retry-After that is not a number', async () => {
    platform.script(
      'telegram',
      [
        {
          status: 429,
          headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' },
          body: { ok: false, error_code: 429, description: 'Too Many Requests' },
        },
      ],
      'sendMessage',
    );
    const error = await plugin()
      .send({ conversationId: 'telegram:42', text: 'Hola' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(1000);
  });

  it('takes a pacing token for every part of a split message', async () => {
    const registry = new PluginRegistry().register(plugin());
    const dispatcher = createOutboundDispatcher({
      registry,
      logger: silentLogger,
      deadLetter: { intervalMs: 0 },
      // The second part waits 500 ms: long enough that it cannot have gone out when the first is checked.
      limits: { telegram: { perChat: { burst: 1, perSecond: 2 } } },
    });
    try {
      // Two sendMessage calls; the first one spends the chat's only token.
      await dispatcher.dispatch({ conversationId: 'telegram:42', text: 'palabra '.repeat(600) });
      expect(platform.sent('telegram', '42')).toHaveLength(1);
      await dispatcher.idle();
      expect(platform.sent('telegram', '42')).toHaveLength(2);
    } finally {
      await dispatcher.close();
    }
  });

  it('marks 5xx retryable and 403 (bot blocked) or a bad token not, without the token in the error', async () => {
    platform.failNext('telegram', 502);
    await expect(plugin().send({ conversationId: 'telegram:42', text: 'x' })).rejects.toMatchObject({
      retryable: true,
    });
    platform.script(
      'telegram',
      [{ status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }],
      'sendMessage',
    );
    const blocked = await plugin()
      .send({ conversationId: 'telegram:42', text: 'x' })
      .catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(UpstreamError);
    expect(blocked).toMatchObject({ retryable: false, message: 'sendMessage: Forbidden: bot was blocked by the user' });
    const unauthorized = await plugin('999:WRONG')
      .send({ conversationId: 'telegram:42', text: 'x' })
      .catch((e: unknown) => e);
    expect(unauthorized).toMatchObject({ retryable: false, details: { platformCode: 401 } });
    expect(JSON.stringify(unauthorized)).not.toContain('999:WRONG');
  });
});

describe('Telegram plugin options', () => {
  it('fails fast naming the missing variables', () => {
    expect(() => createTelegramPlugin({ apiUrl: 'http://x' })).toThrow(
      'Telegram channel: missing TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET',
    );
  });

  it('refuses a webhook secret Telegram would not accept', () => {
    expect(() => createTelegramPlugin({ token: 't', webhookSecret: 'con espacios' })).toThrow(
      /TELEGRAM_WEBHOOK_SECRET/,
    );
  });
});
