import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.ts';
import { fixtureText } from '../../test/contract/fixtures.ts';
import { parseSmsWebhook } from './parse.ts';

const OURS = { accountSid: 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b', phoneNumber: '+15017122661' };
const NOW = Date.parse('2026-12-02T10:00:00.000Z');
const form = (name: string) => new URLSearchParams(fixtureText('sms', name));

describe('Twilio incoming-message webhook', () => {
  it('parses a text into an InboundMessage of the sender E.164 conversation', () => {
    expect(parseSmsWebhook(form('text.txt'), OURS, NOW)).toEqual({
      kind: 'message',
      message: {
        id: 'SM5e9c1f4b8a2d4c7e9f0a1b2c3d4e5f60',
        channel: 'sms',
        conversationId: 'sms:+56912345678',
        user: { id: '+56912345678' },
        text: 'reportar falla',
        receivedAt: '2026-12-02T10:00:00.000Z',
      },
    });
  });

  it('decodes UTF-8 text', () => {
    const parsed = parseSmsWebhook(form('accented.txt'), OURS, NOW);
    expect(parsed).toMatchObject({
      message: { text: 'Fuga de aceite hidráulico en el brazo principal, ¿qué hago?' },
    });
  });

  it('reads MMS media as attachments', () => {
    const parsed = parseSmsWebhook(form('mms.txt'), OURS, NOW);
    expect(parsed).toMatchObject({
      kind: 'message',
      message: {
        id: 'MM9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a',
        text: 'Foto de la fuga en CAT-001',
        attachments: [
          {
            kind: 'image',
            mimeType: 'image/jpeg',
            id: expect.stringMatching(/^https:\/\/api\.twilio\.com\/.*\/Media\/ME/),
          },
        ],
      },
    });
  });

  it('skips messages to another number or account, and opt-out keywords', () => {
    expect(parseSmsWebhook(form('foreign-number.txt'), OURS, NOW)).toEqual({
      kind: 'foreign',
      to: '+15005550006',
      accountSid: OURS.accountSid,
    });
    expect(
      parseSmsWebhook(form('text.txt'), { ...OURS, accountSid: 'AC00000000000000000000000000000000' }),
    ).toMatchObject({ kind: 'foreign' });
    expect(parseSmsWebhook(form('opt-out-stop.txt'), OURS, NOW)).toEqual({
      kind: 'opt-out',
      conversationId: 'sms:+56912345678',
      messageId: 'SM1111aaaa2222bbbb3333cccc4444dddd',
      type: 'STOP',
    });
  });

  it("treats a body that is exactly one of Twilio's default keywords as opt-out, help or opt-in", () => {
    const withBody = (body: string) => {
      const params = form('text.txt');
      params.set('Body', body);
      return parseSmsWebhook(params, OURS, NOW);
    };
    for (const body of ['STOP', 'stopall', ' Unsubscribe ', 'cancel', 'END', 'quit'])
      expect(withBody(body)).toMatchObject({ kind: 'opt-out', type: 'STOP' });
    for (const body of ['START', 'unstop', 'Yes', ' YES '])
      expect(withBody(body)).toMatchObject({ kind: 'opt-out', type: 'START' });
    for (const body of ['HELP', 'info']) expect(withBody(body)).toMatchObject({ kind: 'opt-out', type: 'HELP' });
    for (const body of ['cancelar', 'stop bomba', 'ayuda', 'constructor', 'toString'])
      expect(withBody(body)).toMatchObject({ kind: 'message' });
  });

  it('accepts the deprecated SmsSid alone', () => {
    const params = form('text.txt');
    params.delete('MessageSid');
    expect(parseSmsWebhook(params, OURS, NOW)).toMatchObject({ message: { id: 'SM5e9c1f4b8a2d4c7e9f0a1b2c3d4e5f60' } });
  });

  it.each([['MessageSid', 'SmsSid'], ['AccountSid'], ['From'], ['To']])(
    'refuses a delivery without %s (ValidationError)',
    (...names) => {
      const params = form('text.txt');
      for (const name of names) params.delete(name);
      expect(() => parseSmsWebhook(params, OURS, NOW)).toThrow(ValidationError);
    },
  );

  it('refuses a MessageSid or From not of Twilio form', () => {
    const badSid = form('text.txt');
    badSid.set('MessageSid', 'SM-forged');
    expect(() => parseSmsWebhook(badSid, OURS, NOW)).toThrow(/MessageSid/);
    const badFrom = form('text.txt');
    badFrom.set('From', 'whatsapp:+56912345678');
    expect(() => parseSmsWebhook(badFrom, OURS, NOW)).toThrow(/E\.164/);
  });
});
