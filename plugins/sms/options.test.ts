import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../../core/runtime/types.ts';
import { answerPrompt, numberList, offeredButtons, optionNumber, pressedButton } from './options.ts';

const entry = (direction: 'in' | 'out', text: string, buttons?: { id: string; title: string }[]): TranscriptEntry => ({
  conversationId: 'sms:+56912345678',
  direction,
  text,
  ...(buttons ? { buttons } : {}),
  at: '2026-12-02T10:00:00.000Z',
});

const PRIORITIES = [
  { id: 'priority:baja', title: 'Baja' },
  { id: 'priority:media', title: 'Media' },
  { id: 'priority:alta', title: 'Alta' },
  { id: 'priority:critica', title: 'Crítica' },
];

describe('numbered options', () => {
  it('lists the numbers as Spanish does', () => {
    expect(numberList(1)).toBe('1');
    expect(numberList(2)).toBe('1 o 2');
    expect(numberList(3)).toBe('1, 2 o 3');
    expect(numberList(4)).toBe('1, 2, 3 o 4');
    // "u" before ocho.
    expect(numberList(8)).toBe('1, 2, 3, 4, 5, 6, 7 u 8');
    expect(numberList(10)).toBe('1, 2, 3, 4, 5, 6, 7, 8, 9 o 10');
    expect(answerPrompt(3)).toBe('Responde 1, 2 o 3.');
    expect(answerPrompt(1)).toBe('Responde 1 para elegirla.');
  });

  it('reads a reply that is only a number', () => {
    expect(optionNumber('2')).toBe(2);
    expect(optionNumber(' 3 ')).toBe(3);
    expect(optionNumber('1.')).toBe(1);
    expect(optionNumber('10)')).toBe(10);
    expect(optionNumber('OT-CORR-2')).toBeNull();
    expect(optionNumber('2 equipos')).toBeNull();
    expect(optionNumber(undefined)).toBeNull();
  });

  it("offers the buttons of the assistant's latest message with buttons since the user spoke", () => {
    expect(offeredButtons([entry('in', 'reportar'), entry('out', '¿Qué prioridad tiene?', PRIORITIES)])).toEqual(
      PRIORITIES,
    );
    expect(offeredButtons([entry('out', '¿Qué prioridad?', PRIORITIES), entry('in', '2')])).toEqual([]);
    // A message without buttons after the offer ("Sigo procesando…", an agent's message) keeps it.
    expect(offeredButtons([entry('out', '¿Qué prioridad?', PRIORITIES), entry('out', 'Sigo procesando…')])).toEqual(
      PRIORITIES,
    );
    const confirm = [{ id: 'confirm:yes', title: 'Confirmar' }];
    expect(offeredButtons([entry('out', '¿Qué prioridad?', PRIORITIES), entry('out', '¿Confirmas?', confirm)])).toEqual(
      confirm,
    );
    expect(offeredButtons([entry('in', 'hola'), entry('out', 'Hola, ¿en qué te ayudo?')])).toEqual([]);
    expect(offeredButtons([])).toEqual([]);
  });

  it('a number presses the button at that place; any other number or text presses none', () => {
    expect(pressedButton('2', PRIORITIES)).toEqual({ id: 'priority:media', title: 'Media' });
    expect(pressedButton('4', PRIORITIES)?.id).toBe('priority:critica');
    expect(pressedButton('5', PRIORITIES)).toBeUndefined();
    expect(pressedButton('0', PRIORITIES)).toBeUndefined();
    expect(pressedButton('alta', PRIORITIES)).toBeUndefined();
    expect(pressedButton('1', [])).toBeUndefined();
  });
});
