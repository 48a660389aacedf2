import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../core/types.ts';
import { renderWhatsApp } from './render.ts';

const to = 'whatsapp:56912345678';
const priorities = [
  { id: 'priority:baja', title: 'Baja' },
  { id: 'priority:media', title: 'Media' },
  { id: 'priority:alta', title: 'Alta' },
  { id: 'priority:critica', title: 'Crítica' },
];

describe('WhatsApp rendering', () => {
  it('sends plain text to the wa_id', () => {
    expect(renderWhatsApp({ conversationId: to, text: 'Hola 👋' })).toEqual([
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '56912345678',
        type: 'text',
        text: { body: 'Hola 👋', preview_url: false },
      },
    ]);
  });

  it('renders up to three short choices as reply buttons', () => {
    const [payload] = renderWhatsApp({
      conversationId: to,
      text: '¿Confirmas el reporte?',
      buttons: [
        { id: 'confirm:yes', title: 'Confirmar' },
        { id: 'confirm:no', title: 'Cancelar' },
      ],
    });
    expect(payload).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: '¿Confirmas el reporte?' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'confirm:yes', title: 'Confirmar' } },
            { type: 'reply', reply: { id: 'confirm:no', title: 'Cancelar' } },
          ],
        },
      },
    });
  });

  it('renders four choices as a list within the row limits', () => {
    const [payload] = renderWhatsApp({ conversationId: to, text: '¿Qué prioridad tiene?', buttons: priorities });
    expect(payload).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: '¿Qué prioridad tiene?' },
        action: { button: 'Ver opciones', sections: [{ rows: priorities }] },
      },
    });
  });

  it('turns a title longer than 20 into a list row, cut at 24 with the whole title as description', () => {
    const title = 'Excavadora hidráulica CAT 320D (CAT-001)';
    const [payload] = renderWhatsApp({ conversationId: to, text: '¿Cuál?', buttons: [{ id: 'equipment:1', title }] });
    if (payload?.type !== 'interactive' || payload.interactive.type !== 'list') throw new Error('expected a list');
    const row = payload.interactive.action.sections[0]!.rows[0]!;
    expect(row.title.length).toBeLessThanOrEqual(24);
    expect(row.description).toBe(title);
    expect(payload.interactive.action.button.length).toBeLessThanOrEqual(20);
  });

  it('keeps at most 10 rows', () => {
    const buttons = Array.from({ length: 12 }, (_, i) => ({ id: `equipment:${i}`, title: `CAT-${i}` }));
    const [payload] = renderWhatsApp({ conversationId: to, text: 'Elige', buttons });
    if (payload?.type !== 'interactive' || payload.interactive.type !== 'list') throw new Error('expected a list');
    expect(payload.interactive.action.sections[0]!.rows).toHaveLength(10);
  });

  it('splits long texts at 4096', () => {
    const text = 'Detalle de mantenimiento preventivo. '.repeat(300);
    const payloads = renderWhatsApp({ conversationId: to, text });
    expect(payloads.length).toBeGreaterThan(2);
    for (const p of payloads) expect(p.type === 'text' && p.text.body.length).toBeLessThanOrEqual(4096);
  });

  it('puts the overflow of an interactive body (max 1024) in a text message before it', () => {
    const message: OutboundMessage = {
      conversationId: to,
      text: `${'Resumen de la falla reportada. '.repeat(60)}\n\n¿Confirmas el reporte?`,
      buttons: [{ id: 'confirm:yes', title: 'Confirmar' }],
    };
    const payloads = renderWhatsApp(message);
    expect(payloads.map((p) => p.type)).toEqual(['text', 'interactive']);
    const last = payloads[1]!;
    if (last.type !== 'interactive') throw new Error('expected interactive');
    expect(last.interactive.body.text.length).toBeLessThanOrEqual(1024);
    expect(last.interactive.body.text.endsWith('¿Confirmas el reporte?')).toBe(true);
  });

  it('replies in context to a wamid', () => {
    const [payload] = renderWhatsApp({ conversationId: to, text: 'Listo', replyTo: 'wamid.ABC' });
    expect(payload!.context).toEqual({ message_id: 'wamid.ABC' });
  });
});
