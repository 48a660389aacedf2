import { describe, expect, it } from 'vitest';
import { CallbackData, renderTelegram } from './render.ts';

const chat = 'telegram:123456789';

describe('Telegram rendering', () => {
  it('sends plain text without parse_mode: special characters and emoji go as they are', () => {
    const text = '¡Listo! OT-CORR-1 _en_ *progreso* [50%] (v2.0) `x` > #1 🛠️';
    const [part] = renderTelegram({ conversationId: chat, text }, new CallbackData());
    expect(part).toEqual({ chat_id: '123456789', text, link_preview_options: { is_disabled: true } });
    expect(part).not.toHaveProperty('parse_mode');
  });

  it("sends a group member's replies to the group chat", () => {
    const [part] = renderTelegram(
      { conversationId: 'telegram:-1001234567890:123456789', text: 'Hola' },
      new CallbackData(),
    );
    expect(part).toMatchObject({ chat_id: '-1001234567890', text: 'Hola' });
  });

  it('renders buttons as an inline keyboard with callback_data = button id', () => {
    const [part] = renderTelegram(
      {
        conversationId: chat,
        text: '¿Qué prioridad tiene?',
        buttons: [
          { id: 'priority:baja', title: 'Baja' },
          { id: 'priority:media', title: 'Media' },
          { id: 'priority:alta', title: 'Alta' },
          { id: 'priority:critica', title: 'Crítica' },
        ],
      },
      new CallbackData(),
    );
    expect(part!.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: 'Baja', callback_data: 'priority:baja' },
          { text: 'Media', callback_data: 'priority:media' },
        ],
        [
          { text: 'Alta', callback_data: 'priority:alta' },
          { text: 'Crítica', callback_data: 'priority:critica' },
        ],
      ],
    });
  });

  it('splits at 4096 and puts the keyboard on the last part', () => {
    const parts = renderTelegram(
      {
        conversationId: chat,
        text: 'Línea del historial de la OT.\n'.repeat(300),
        buttons: [{ id: 'confirm:yes', title: 'Sí' }],
      },
      new CallbackData(),
    );
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.text.length).toBeLessThanOrEqual(4096);
    expect(parts.map((p) => Boolean(p.reply_markup))).toEqual([false, false, true]);
  });

  it('keeps callback_data within 64 bytes and maps a long id back', () => {
    const data = new CallbackData();
    const long = `equipment:${'Ñ'.repeat(40)}`;
    const [part] = renderTelegram(
      { conversationId: chat, text: 'Elige', buttons: [{ id: long, title: 'Equipo' }] },
      data,
    );
    const sent = part!.reply_markup!.inline_keyboard[0]![0]!.callback_data;
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(64);
    expect(data.decode(sent)).toBe(long);
    expect(data.decode('#unknown')).toBeUndefined();
    expect(data.decode('priority:alta')).toBe('priority:alta');
  });

  it('replies to the inbound message when replyTo is a chat message id', () => {
    const [part] = renderTelegram({ conversationId: chat, text: 'ok', replyTo: '123456789:301' }, new CallbackData());
    expect(part!.reply_parameters).toEqual({ message_id: 301, allow_sending_without_reply: true });
  });
});
