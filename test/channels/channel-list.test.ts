import { describe, expect, it } from 'vitest';
import { startGateway } from '../../app/gateway.ts';
import { CHANNELS } from '../../channels.ts';
import { ConfigError } from '../../core/errors.ts';
import { createTelegramPlugin, telegramChannel } from '../../plugins/telegram/index.ts';
import { webChannel } from '../../plugins/web/index.ts';
import { createWhatsAppPlugin, whatsappChannel } from '../../plugins/whatsapp/index.ts';

const WHATSAPP_ENV = {
  WHATSAPP_VERIFY_TOKEN: 'verify',
  WHATSAPP_APP_SECRET: 'secret',
  WHATSAPP_TOKEN: 'token',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
};
const TELEGRAM_ENV = { TELEGRAM_BOT_TOKEN: '123:ABC', TELEGRAM_WEBHOOK_SECRET: 'tg_secret-1' };

describe('the channel list (channels.ts)', () => {
  it('lists each channel once, by name', () => {
    const names = CHANNELS.map((channel) => channel.name);
    expect(names).toEqual(expect.arrayContaining(['web', 'whatsapp', 'telegram']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps a channel off while none of its variables is set (web is always on)', () => {
    expect(whatsappChannel.fromEnv({})).toBeNull();
    expect(telegramChannel.fromEnv({})).toBeNull();
    expect(webChannel.fromEnv({})?.name).toBe('web');
  });

  it('builds a channel from its own variables, with its own pacing', () => {
    const whatsapp = whatsappChannel.fromEnv(WHATSAPP_ENV);
    const telegram = telegramChannel.fromEnv(TELEGRAM_ENV);
    expect(whatsapp?.name).toBe('whatsapp');
    expect(whatsapp?.capabilities.pacing).toMatchObject({ perChat: { burst: 3, perSecond: 1 } });
    expect(telegram?.name).toBe('telegram');
    expect(telegram?.capabilities.pacing).toMatchObject({ perGroup: { burst: 3, perSecond: 20 / 60 } });
  });

  it('names the missing variables of a channel set in part', () => {
    const { WHATSAPP_TOKEN: _token, ...partial } = WHATSAPP_ENV;
    expect(() => whatsappChannel.fromEnv(partial)).toThrow(new ConfigError('WhatsApp channel: missing WHATSAPP_TOKEN'));
    expect(() => telegramChannel.fromEnv({ TELEGRAM_BOT_TOKEN: '123:ABC' })).toThrow(
      new ConfigError('Telegram channel: missing TELEGRAM_WEBHOOK_SECRET'),
    );
    expect(() => telegramChannel.fromEnv({ ...TELEGRAM_ENV, TELEGRAM_WEBHOOK_SECRET: 'no spaces' })).toThrow(
      /TELEGRAM_WEBHOOK_SECRET must be 1-256 characters/,
    );
    expect(() => whatsappChannel.fromEnv({ ...WHATSAPP_ENV, WHATSAPP_API_URL: 'graph' })).toThrow(
      /WHATSAPP_API_URL must be a URL/,
    );
  });

  it('checks a channel’s URL only when the channel is on', () => {
    expect(telegramChannel.fromEnv({ TELEGRAM_API_URL: 'api.telegram' })).toBeNull();
    expect(whatsappChannel.fromEnv({ WHATSAPP_API_URL: 'graph' })).toBeNull();
    expect(() => telegramChannel.fromEnv({ ...TELEGRAM_ENV, TELEGRAM_API_URL: 'api.telegram' })).toThrow(
      new ConfigError('TELEGRAM_API_URL must be a URL, got "api.telegram"'),
    );
  });

  it('takes options first and the variables for what the options leave out', () => {
    expect(() =>
      createWhatsAppPlugin({ token: 'from-options' }, { ...WHATSAPP_ENV, WHATSAPP_TOKEN: '' }),
    ).not.toThrow();
    expect(() => createTelegramPlugin({ webhookSecret: 'from_options' }, { TELEGRAM_BOT_TOKEN: '1:A' })).not.toThrow();
    expect(() => createTelegramPlugin({}, {})).toThrow(/missing TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET/);
  });

  it('refuses to start a gateway with a channel set in part, naming the variable, before binding its port', async () => {
    let listening = false;
    await expect(
      startGateway(
        { LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: '123:ABC' },
        {
          port: 0,
          host: '127.0.0.1',
          onListening: () => {
            listening = true;
          },
        },
      ),
    ).rejects.toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    expect(listening).toBe(false);
  });
});
