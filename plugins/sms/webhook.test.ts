import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../../core/runtime/types.ts';
import { PRIORITIES, smsWebhookSetup as setup, TOKEN, WEBHOOK, withBody } from '../../test/channels/sms-webhook.ts';
import { fixtureText } from '../../test/contract/fixtures.ts';
import { signTwilioRequest } from './verify.ts';
import { EMPTY_TWIML } from './webhook.ts';

describe('POST /webhooks/sms', () => {
  it('answers a signed message at once with empty TwiML and hands it to the runtime', async () => {
    const { runtime, signed } = setup();
    const response = await signed(fixtureText('sms', 'text.txt'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
    expect(await response.text()).toBe(EMPTY_TWIML);
    expect(runtime.received).toMatchObject([
      { id: 'SM5e9c1f4b8a2d4c7e9f0a1b2c3d4e5f60', conversationId: 'sms:+56912345678', text: 'reportar falla' },
    ]);
  });

  it('verifies the signature over PUBLIC_URL + path + query, not the address it was reached on', async () => {
    const { runtime, post, signed } = setup();
    const body = fixtureText('sms', 'text.txt');
    const params = new URLSearchParams(body);
    expect((await signed(body, '?site=norte')).status).toBe(200);
    const otherHost = signTwilioRequest(TOKEN, 'http://10.0.0.7:5001/webhooks/sms', params);
    const response = await post(body, { 'x-twilio-signature': otherHost });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'unauthorized' });
    const withoutQuery = signTwilioRequest(TOKEN, WEBHOOK, params);
    expect((await post(body, { 'x-twilio-signature': withoutQuery }, '?site=norte')).status).toBe(401);
    expect((await post(body)).status).toBe(401);
    expect(runtime.received).toHaveLength(1);
  });

  it('processes a redelivered MessageSid once', async () => {
    const { runtime, signed } = setup();
    const body = fixtureText('sms', 'text.txt');
    expect((await signed(body)).status).toBe(200);
    expect((await signed(body)).status).toBe(200);
    expect(runtime.received).toHaveLength(1);
  });

  it('skips, with 200, messages to another number and opt-out keywords (Twilio answers those)', async () => {
    const { runtime, signed } = setup();
    for (const name of ['foreign-number.txt', 'opt-out-stop.txt']) {
      const response = await signed(fixtureText('sms', name));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(EMPTY_TWIML);
    }
    expect(runtime.received).toEqual([]);
  });

  it("skips Twilio's default keywords without Advanced Opt-Out; longer texts and Spanish words go through", async () => {
    const { runtime, signed } = setup();
    const keywords = [
      'STOP',
      'stopall',
      ' Unsubscribe ',
      'cancel',
      'End',
      'QUIT',
      'start',
      'UNSTOP',
      'yes',
      'help',
      'Info',
    ];
    for (const [i, keyword] of keywords.entries()) {
      const response = await signed(withBody(keyword, `SM${String(i).padStart(32, '0')}`));
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(EMPTY_TWIML);
    }
    expect(runtime.received).toEqual([]);
    await signed(withBody('cancelar', `SM${'a'.repeat(32)}`));
    await signed(withBody('stop the pump', `SM${'b'.repeat(32)}`));
    expect(runtime.received.map((m) => m.text)).toEqual(['cancelar', 'stop the pump']);
  });

  it('a number answering the last offered options presses that button', async () => {
    const offer: TranscriptEntry[] = [
      { conversationId: 'sms:+56912345678', direction: 'out', text: '¿Qué prioridad?', buttons: PRIORITIES, at: '' },
    ];
    const { runtime, signed } = setup({ transcript: offer });
    await signed(fixtureText('sms', 'option-reply.txt'));
    expect(runtime.received[0]).toMatchObject({ text: '2', action: 'priority:media' });
  });

  it('a number out of range, or with no options offered, stays text', async () => {
    const offer: TranscriptEntry[] = [
      { conversationId: 'sms:+56912345678', direction: 'out', text: '¿Qué prioridad?', buttons: PRIORITIES, at: '' },
    ];
    const outOfRange = setup({ transcript: offer });
    await outOfRange.signed(withBody('7'));
    expect(outOfRange.runtime.received[0]).toMatchObject({ text: '7' });
    expect(outOfRange.runtime.received[0]).not.toHaveProperty('action');
    const noOffer = setup();
    await noOffer.signed(fixtureText('sms', 'option-reply.txt'));
    expect(noOffer.runtime.received[0]).toMatchObject({ text: '2' });
    expect(noOffer.runtime.received[0]).not.toHaveProperty('action');
  });

  it('when the offered options cannot be read, the number waits and is read again (never guessed as text)', async () => {
    const offer: TranscriptEntry[] = [
      { conversationId: 'sms:+56912345678', direction: 'out', text: '¿Qué prioridad?', buttons: PRIORITIES, at: '' },
    ];
    let failures = 2;
    const { runtime, signed, logs } = setup({
      transcript: () => {
        if (failures-- > 0) throw new Error('store hiccup');
        return offer;
      },
    });
    await signed(fixtureText('sms', 'option-reply.txt'));
    expect(runtime.received).toMatchObject([{ text: '2', action: 'priority:media' }]);
    expect(logs.filter((l) => l.msg === 'inbound message failed: retrying')).toHaveLength(2);
  });

  it('answers 200 while the store is down and processes the SMS once it is back (Twilio would not redeliver)', async () => {
    let down = true;
    let receiveFailures = 3;
    const { runtime, signed, logs } = setup({
      unavailable: () => down,
      fail: () => {
        if (receiveFailures-- > 0) return true;
        down = false;
        return false;
      },
    });
    const response = await signed(fixtureText('sms', 'text.txt'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(EMPTY_TWIML);
    expect(runtime.received).toMatchObject([{ id: 'SM5e9c1f4b8a2d4c7e9f0a1b2c3d4e5f60', text: 'reportar falla' }]);
    expect(down).toBe(false);
    expect(logs.filter((l) => l.msg === 'inbound message failed: retrying')).toHaveLength(3);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('refuses a signed delivery without its identity fields (400) and a huge body (413)', async () => {
    const params = new URLSearchParams(fixtureText('sms', 'text.txt'));
    params.delete('From');
    expect((await setup().signed(params.toString())).status).toBe(400);
    expect((await setup({ maxBodyBytes: '100' }).signed(fixtureText('sms', 'text.txt'))).status).toBe(413);
  });

  it('warns about rejected signatures at most once a minute, without the caller-chosen query string', async () => {
    const { post, logs } = setup();
    const body = fixtureText('sms', 'text.txt');
    for (let i = 0; i < 3; i++) expect((await post(body, {}, `?probe=${i}<script>`)).status).toBe(401);
    const warnings = logs.filter((l) => String(l.msg).startsWith('Twilio webhook signature rejected'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).not.toContain('probe=');
    expect(warnings[0]).toMatchObject({ expectedBase: WEBHOOK, hasSignature: false });
  });
});
