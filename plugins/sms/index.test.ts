import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.ts';
import { createSmsPlugin, smsChannel } from './index.ts';
import { PACING } from './types.ts';

const ENV = {
  TWILIO_ACCOUNT_SID: 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b',
  TWILIO_AUTH_TOKEN: 'sms-auth-token',
  TWILIO_PHONE_NUMBER: '+15017122661',
};

describe('SMS channel settings', () => {
  it('is off when none of its variables is set', () => {
    expect(smsChannel.name).toBe('sms');
    expect(smsChannel.fromEnv({})).toBeNull();
    expect(smsChannel.fromEnv({ TWILIO_API_URL: 'http://127.0.0.1:1', SMS_GSM7_FOLD: '1' })).toBeNull();
  });

  it('is on with all of them, declaring its capabilities and pacing', () => {
    const plugin = smsChannel.fromEnv(ENV);
    expect(plugin?.name).toBe('sms');
    expect(plugin?.capabilities).toEqual({
      buttons: false,
      maxButtons: 10,
      maxButtonTitle: 40,
      maxTextLength: 1600,
      pacing: PACING,
    });
    // Per recipient as the other channels; over the number loose: Twilio queues excess segments itself.
    expect(PACING).toEqual({ perChat: { burst: 3, perSecond: 1 }, global: { burst: 20, perSecond: 10 } });
  });

  it('names every missing variable when set in part', () => {
    expect(() => smsChannel.fromEnv({ TWILIO_AUTH_TOKEN: 'x' })).toThrow(ConfigError);
    expect(() => smsChannel.fromEnv({ TWILIO_AUTH_TOKEN: 'x' })).toThrow(
      'SMS channel: missing TWILIO_ACCOUNT_SID, TWILIO_PHONE_NUMBER',
    );
  });

  it('wants the phone number in E.164 and TWILIO_API_URL a URL', () => {
    expect(() => smsChannel.fromEnv({ ...ENV, TWILIO_PHONE_NUMBER: '15017122661' })).toThrow(/E\.164/);
    expect(smsChannel.fromEnv({ ...ENV, TWILIO_PHONE_NUMBER: '+1 (501) 712-2661' })).not.toBeNull();
    expect(() => smsChannel.fromEnv({ ...ENV, TWILIO_API_URL: 'not a url' })).toThrow(/TWILIO_API_URL/);
  });

  it('takes options first and env for what they leave out', () => {
    expect(() => createSmsPlugin({ accountSid: ENV.TWILIO_ACCOUNT_SID }, {})).toThrow(
      'SMS channel: missing TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER',
    );
    const plugin = createSmsPlugin({ authToken: 'from-options', pacing: {} }, ENV);
    expect(plugin.capabilities.pacing).toEqual({});
  });
});
