import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setTelegramWebhook } from '../../scripts/telegram-set-webhook.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { telegramFake } from './fakes/telegram.ts';

let platform: PlatformServer;
beforeAll(async () => {
  platform = await startPlatformServer([telegramFake({ token: '123:ABC' })]);
});
afterAll(() => platform.close());
beforeEach(() => platform.reset());

const env = () => ({
  TELEGRAM_BOT_TOKEN: '123:ABC',
  TELEGRAM_WEBHOOK_SECRET: 'tg_secret-1',
  TELEGRAM_API_URL: platform.apiUrl('telegram'),
  PUBLIC_URL: 'https://bot.somacor.cl',
});

describe('telegram:set-webhook', () => {
  it('sets the webhook URL, secret token and allowed updates', async () => {
    const result = await setTelegramWebhook(env(), { dropPendingUpdates: true });
    expect(result.url).toBe('https://bot.somacor.cl/webhooks/telegram');
    expect(platform.requests).toMatchObject([
      {
        operation: 'setWebhook',
        body: {
          url: 'https://bot.somacor.cl/webhooks/telegram',
          secret_token: 'tg_secret-1',
          allowed_updates: ['message', 'edited_message', 'callback_query'],
          drop_pending_updates: true,
        },
      },
    ]);
  });

  it('names the missing variables', async () => {
    await expect(setTelegramWebhook({ TELEGRAM_BOT_TOKEN: 'x' })).rejects.toThrow(
      'missing TELEGRAM_WEBHOOK_SECRET, PUBLIC_URL',
    );
  });

  it('reports a refused token without printing it', async () => {
    const error = await setTelegramWebhook({ ...env(), TELEGRAM_BOT_TOKEN: '999:SECRET' }).catch((e: Error) => e);
    expect(String(error)).toContain('setWebhook failed (HTTP 401): Unauthorized');
    expect(String(error)).not.toContain('999:SECRET');
  });

  it('refuses a PUBLIC_URL that is not https, sending nothing', async () => {
    await expect(setTelegramWebhook({ ...env(), PUBLIC_URL: 'http://bot.somacor.cl' })).rejects.toThrow(
      /PUBLIC_URL must be an https:\/\/ URL/,
    );
    expect(platform.requests).toEqual([]);
  });

  it('accepts plain http on loopback (a local test server)', async () => {
    const result = await setTelegramWebhook({ ...env(), PUBLIC_URL: 'http://127.0.0.1:3000' });
    expect(result.url).toBe('http://127.0.0.1:3000/webhooks/telegram');
  });

  it('runs as the npm script', async () => {
    const { stdout } = await promisify(execFile)('node_modules/.bin/node', ['scripts/telegram-set-webhook.ts'], {
      env: { ...process.env, ...env() },
    });
    expect(stdout).toContain('Telegram webhook set to https://bot.somacor.cl/webhooks/telegram');
  });
});
