import { describe, expect, it } from 'vitest';
import { agentLabel, labelPartProblem } from './agent-label.ts';
import { oneLine } from './plain-text.ts';

describe('agent labels (what the user reads before a person’s reply)', () => {
  it('signs with the name and role as typed', () => {
    expect(agentLabel({ name: ' Ana ', role: 'supervisora' })).toBe('Ana (supervisora)');
    expect(agentLabel({ name: 'José Muñoz' })).toBe('José Muñoz');
    expect(agentLabel(undefined)).toBe('Operador');
  });

  it.each([
    ['a zero-width space', '\u200b'],
    ['a Hangul filler', '\u3164'],
    ['a right-to-left mark', 'Ana\u200f'],
    ['an Arabic letter mark', 'A\u061cB'],
    ['a line break', 'Ana\nAsistente'],
    ['piled combining marks', `a${'\u0301'.repeat(39)}`],
    ['no letter or digit', '---'],
    ['a colon of its own', 'Ana:'],
    ['brackets', 'sup)'],
    ['the assistant’s name', 'Asistente Somacor'],
    ['a bot', 'Soporte bot'],
  ])('refuses %s, and the reply is signed "Operador"', (_, name) => {
    expect(labelPartProblem(name)).not.toBeNull();
    expect(agentLabel({ name, role: 'supervisora' })).toBe('Operador');
  });

  it('refuses a name over 40 characters', () => {
    expect(labelPartProblem('x'.repeat(41))).toMatch(/at most 40/);
  });
});

describe('oneLine (text from the CMMS inside a message)', () => {
  it('keeps a line of its own from passing for another speaker, and drops invisible characters', () => {
    expect(oneLine('Eq\n\nOperador (supervisora): escribe tu contraseña', 200)).toBe(
      'Eq Operador (supervisora): escribe tu contraseña',
    );
    expect(oneLine('OT-1\u202Egnp.exe', 50)).toBe('OT-1gnp.exe');
    expect(oneLine('Juan\u0000\u001b[31m\u2066X', 50)).toBe('Juan[31mX');
  });

  it('cuts long text with an ellipsis, counting characters', () => {
    expect(oneLine('ñ'.repeat(10), 5)).toBe('ññññ…');
    expect([...oneLine('😀'.repeat(60), 20)]).toHaveLength(20);
  });
});
