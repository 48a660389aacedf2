import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.ts';
import { fixture } from '../../test/contract/fixtures.ts';
import { parseWebhook } from './parse.ts';

const parse = (name: string) => parseWebhook(fixture('whatsapp', name));

describe('WhatsApp webhook parsing', () => {
  it('reads a text message with the sender name and wamid', () => {
    const { messages } = parse('text.json');
    expect(messages).toEqual([
      {
        id: 'wamid.HBgLNTY5MTIzNDU2NzgVAgASGBQzQUI5RjI3QjlGMTZBQkQ4RDFDMDEA',
        channel: 'whatsapp',
        conversationId: 'whatsapp:56912345678',
        user: { id: '56912345678', name: 'Juan Pérez' },
        text: 'consultar estado de OT-CORR-1 🙏',
        receivedAt: '2025-06-08T20:59:43.000Z',
      },
    ]);
  });

  it('turns button and list replies into actions with the title as text', () => {
    expect(parse('interactive-button-reply.json').messages[0]).toMatchObject({ action: 'priority:alta', text: 'Alta' });
    expect(parse('interactive-list-reply.json').messages[0]).toMatchObject({
      action: 'priority:critica',
      text: 'Crítica',
    });
    expect(parse('button.json').messages[0]).toMatchObject({ action: 'confirm:yes', text: 'Confirmar' });
  });

  it('keeps locations and media (caption as text)', () => {
    expect(parse('location.json').messages[0]!.location).toEqual({
      latitude: -33.4489,
      longitude: -70.6693,
      name: 'Faena Norte',
      address: 'Camino Minero 1200, Santiago',
    });
    expect(parse('image.json').messages[0]).toMatchObject({
      text: 'Fuga de aceite en CAT-001',
      attachments: [
        { kind: 'image', id: '1003383421387256', mimeType: 'image/jpeg', caption: 'Fuga de aceite en CAT-001' },
      ],
    });
    expect(parse('document.json').messages[0]!.attachments).toEqual([
      {
        kind: 'document',
        id: '1205439370928510',
        mimeType: 'application/pdf',
        caption: 'Informe de inspección',
        fileName: 'inspeccion-CAT-001.pdf',
      },
    ]);
    const audio = parse('audio.json').messages[0]!;
    expect(audio.text).toBeUndefined();
    expect(audio.attachments).toEqual([{ kind: 'audio', id: '2140393356434771', mimeType: 'audio/ogg; codecs=opus' }]);
    expect(parse('video.json').messages[0]!.attachments![0]).toMatchObject({ kind: 'video', id: '1622408245250125' });
    expect(parse('sticker.json').messages[0]!.attachments![0]).toMatchObject({
      kind: 'sticker',
      mimeType: 'image/webp',
    });
  });

  it('reads every message and status of a batched delivery', () => {
    const parsed = parse('batch.json');
    expect(parsed.messages.map((m) => [m.conversationId, m.user.name, m.text])).toEqual([
      ['whatsapp:56912345678', 'Juan Pérez', 'reportar falla'],
      ['whatsapp:56987654321', 'María Soto', 'hola'],
    ]);
    expect(parsed.statuses).toMatchObject([{ conversationId: 'whatsapp:56912345678', status: { status: 'read' } }]);
  });

  it('reports statuses as delivery receipts, not messages', () => {
    for (const status of ['sent', 'delivered', 'read']) {
      const parsed = parse(`status-${status}.json`);
      expect(parsed.messages).toEqual([]);
      expect(parsed.statuses[0]).toMatchObject({ conversationId: 'whatsapp:56912345678', status: { status } });
    }
    const failed = parse('status-failed.json').statuses[0]!;
    expect(failed.status).toMatchObject({ status: 'failed', errors: [{ code: 131047 }] });
  });

  it('lists unknown types apart, without failing', () => {
    expect(parse('unsupported.json')).toMatchObject({ messages: [], unsupported: [{ type: 'unsupported' }] });
  });

  it('lists reactions and system messages as ignored, not unsupported', () => {
    expect(parse('reaction.json')).toMatchObject({
      messages: [],
      unsupported: [],
      ignored: [{ type: 'reaction', conversationId: 'whatsapp:56912345678' }],
    });
    const system = fixture<{ entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] }>(
      'whatsapp',
      'unsupported.json',
    );
    system.entry[0]!.changes[0]!.value.messages[0] = {
      ...system.entry[0]!.changes[0]!.value.messages[0],
      type: 'system',
      system: { body: 'User changed number', type: 'user_changed_number' },
    };
    expect(parseWebhook(system)).toMatchObject({ unsupported: [], ignored: [{ type: 'system' }] });
  });

  it('skips changes for another phone number of the account, naming it', () => {
    const body = fixture<{ entry: { changes: { value: { metadata: { phone_number_id: string } } }[] }[] }>(
      'whatsapp',
      'text.json',
    );
    body.entry[0]!.changes[0]!.value.metadata.phone_number_id = '999000111';
    expect(parseWebhook(body, { phoneNumberId: '106540352242922' })).toMatchObject({
      messages: [],
      foreign: ['999000111'],
    });
    expect(parseWebhook(body, { phoneNumberId: '999000111' }).messages).toHaveLength(1);
  });

  it('rejects what is not a WhatsApp delivery', () => {
    expect(() => parseWebhook([])).toThrow(ValidationError);
    expect(() => parseWebhook({ object: 'page', entry: [] })).toThrow(/whatsapp_business_account/);
    expect(() => parseWebhook({ object: 'whatsapp_business_account' })).toThrow(/entry/);
    // Below the envelope, what does not match is skipped and counted (Meta would resend a refusal for days).
    expect(parseWebhook({ object: 'whatsapp_business_account', entry: [{ changes: 'x' }, null] })).toMatchObject({
      messages: [],
      malformed: 2,
    });
  });

  it('counts messages without sender or id as malformed', () => {
    const body = fixture<{ entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[] }>(
      'whatsapp',
      'text.json',
    );
    delete body.entry[0]!.changes[0]!.value.messages[0]!['from'];
    expect(parseWebhook(body)).toMatchObject({ messages: [], malformed: 1 });
  });
});
