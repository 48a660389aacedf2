import { describe, expect, it } from 'vitest';
import { startGateway } from '../../app/gateway.ts';
import { CHANNELS } from '../../channels.ts';
import { ConfigError } from '../../core/errors.ts';
import { createSmsPlugin, SMS_PACING, smsChannel } from '../../plugins/sms/index.ts';
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
const SMS_ENV = {
  TWILIO_ACCOUNT_SID: 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b',
  TWILIO_AUTH_TOKEN: 'sms-auth-token',
  TWILIO_PHONE_NUMBER: '+15017122661',
};

describe('the channel list (channels.ts)', () => {
  it('lists each channel once, by name', () => {
    const names = CHANNELS.map((channel) => channel.name);
    expect(names).toEqual(expect.arrayContaining(['web', 'whatsapp', 'telegram', 'sms']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('keeps a channel off while none of its variables is set (web is always on)', () => {
    expect(whatsappChannel.fromEnv({})).toBeNull();
    expect(telegramChannel.fromEnv({})).toBeNull();
    expect(smsChannel.fromEnv({})).toBeNull();
    expect(webChannel.fromEnv({})?.name).toBe('web');
  });

  it('builds a channel from its own variables, with its own pacing', async () => {
    const whatsapp = whatsappChannel.fromEnv(WHATSAPP_ENV);
    const telegram = telegramChannel.fromEnv(TELEGRAM_ENV);
    expect(whatsapp?.name).toBe('whatsapp');
    expect(whatsapp?.capabilities.pacing).toMatchObject({ perChat: { burst: 3, perSecond: 1 } });
    expect(telegram?.name).toBe('telegram');
    expect(telegram?.capabilities.pacing).toMatchObject({ perGroup: { burst: 3, perSecond: 20 / 60 } });
    const sms = smsChannel.fromEnv(SMS_ENV);
    expect(sms?.name).toBe('sms');
    expect(sms?.capabilities.pacing).toEqual(SMS_PACING);
    await sms?.close?.();
  });

  it('names the missing variables of a channel set in part', () => {
    const { WHATSAPP_TOKEN: _token, ...partial } = WHATSAPP_ENV;
    expect(() => whatsappChannel.fromEnv(partial)).toThrow(new ConfigError('WhatsApp channel: missing WHATSAPP_TOKEN'));
    expect(() => telegramChannel.fromEnv({ TELEGRAM_BOT_TOKEN: '123:ABC' })).toThrow(
      new ConfigError('Telegram channel: missing TELEGRAM_WEBHOOK_SECRET'),
    );
    expect(() => smsChannel.fromEnv({ TWILIO_AUTH_TOKEN: 'x' })).toThrow(
      new ConfigError('SMS channel: missing TWILIO_ACCOUNT_SID, TWILIO_PHONE_NUMBER'),
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
    expect(smsChannel.fromEnv({ TWILIO_API_URL: 'api.twilio' })).toBeNull();
    expect(() => smsChannel.fromEnv({ ...SMS_ENV, TWILIO_API_URL: 'api.twilio' })).toThrow(
      new ConfigError('TWILIO_API_URL must be a URL, got "api.twilio"'),
    );
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
    expect(() =>
      createSmsPlugin({ phoneNumber: '+15017122661' }, { ...SMS_ENV, TWILIO_PHONE_NUMBER: '' }),
    ).not.toThrow();
    expect(() => createSmsPlugin({}, {})).toThrow(/missing TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER/);
  });

  it('refuses to start a gateway with a channel set in part, naming the variable, before binding its port', async () => {
    let listening = false;
    await expect(
      startGateway(
        { LOG_LEVEL: 'silent', IDENTITY_REQUIRED: 'none', TELEGRAM_BOT_TOKEN: '123:ABC' },
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
