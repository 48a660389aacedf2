import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../../core/runtime/types.ts';
import { PRIORITIES, smsWebhookSetup as setup, TOKEN, WEBHOOK, withBody } from '../../test/channels/sms-webhook.ts';
import { signTwilioRequest } from './verify.ts';

describe('numbered options over SMS, in the order the user typed them', () => {
  const CONFIRM = [
    { id: 'confirm:yes', title: 'Confirmar' },
    { id: 'confirm:no', title: 'Cancelar' },
  ];

  /** A slow assistant: each turn takes a while, then records the user's message and its answer. */
  function assistant(answer: (text: string) => { text: string; buttons?: typeof PRIORITIES }[]) {
    const transcript: TranscriptEntry[] = [];
    const context = setup({
      transcript: () => [...transcript],
      async turn(message) {
        await new Promise((resolve) => setTimeout(resolve, 30));
        const at = '';
        const conversationId = message.conversationId;
        transcript.push({ conversationId, direction: 'in', text: message.text ?? '', at });
        for (const out of answer(message.action ?? message.text ?? ''))
          transcript.push({ conversationId, direction: 'out', ...out, at });
      },
    });
    return { ...context, transcript };
  }

  it('type-ahead: "3" then "1" at once answer the priority, then the confirmation', async () => {
    const { runtime, app, transcript } = assistant((said) =>
      said.startsWith('priority:') ? [{ text: '¿Confirmas?', buttons: CONFIRM }] : [{ text: 'Listo.' }],
    );
    transcript.push({
      conversationId: 'sms:+56912345678',
      direction: 'out',
      text: '¿Prioridad?',
      buttons: PRIORITIES,
      at: '',
    });
    const request = (body: string) =>
      app.request(`http://10.0.0.7:5001/webhooks/sms`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signTwilioRequest(TOKEN, WEBHOOK, new URLSearchParams(body)),
        },
        body,
      });
    const answers = await Promise.all([
      request(withBody('3', `SM${'3'.repeat(32)}`)),
      request(withBody('1', `SM${'1'.repeat(32)}`)),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    await runtime.settle();
    expect(runtime.received.map((m) => [m.text, m.action])).toEqual([
      ['3', 'priority:alta'],
      ['1', 'confirm:yes'],
    ]);
  });

  it('an offer followed by a message without buttons still maps the digit; with no offer it stays text', async () => {
    const { runtime, signed, transcript } = assistant(() => [{ text: 'Recibido.' }]);
    transcript.push(
      { conversationId: 'sms:+56912345678', direction: 'out', text: '¿Prioridad?', buttons: PRIORITIES, at: '' },
      { conversationId: 'sms:+56912345678', direction: 'out', text: 'Sigo procesando…', at: '' },
    );
    await signed(withBody('2', `SM${'2'.repeat(32)}`));
    // The user spoke since: the offer is gone, the next number is text.
    await signed(withBody('3', `SM${'4'.repeat(32)}`));
    expect(runtime.received.map((m) => [m.text, m.action])).toEqual([
      ['2', 'priority:media'],
      ['3', undefined],
    ]);
  });
});
