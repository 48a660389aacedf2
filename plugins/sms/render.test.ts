import { describe, expect, it } from 'vitest';
import { compactText, droppedButtons, renderSms } from './render.ts';
import { countSegments } from './segments.ts';

const to = 'sms:+56912345678';

describe('SMS rendering', () => {
  it('numbers the buttons under the text and says how to answer', () => {
    const [body, ...rest] = renderSms({
      conversationId: to,
      text: '¿Qué prioridad tiene?',
      buttons: [
        { id: 'priority:baja', title: 'Baja' },
        { id: 'priority:media', title: 'Media' },
        { id: 'priority:alta', title: 'Alta' },
        { id: 'priority:critica', title: 'Crítica' },
      ],
    });
    expect(rest).toEqual([]);
    expect(body).toBe('¿Qué prioridad tiene?\n1. Baja\n2. Media\n3. Alta\n4. Crítica\nResponde 1, 2, 3 o 4.');
  });

  it('two buttons: "Responde 1 o 2."', () => {
    const [body] = renderSms({
      conversationId: to,
      text: 'Voy a reportar esta falla. ¿Confirmas?',
      buttons: [
        { id: 'confirm:yes', title: 'Confirmar' },
        { id: 'confirm:no', title: 'Cancelar' },
      ],
    });
    expect(body).toBe('Voy a reportar esta falla. ¿Confirmas?\n1. Confirmar\n2. Cancelar\nResponde 1 o 2.');
  });

  it('is compact: bullets as dashes, no emoji, no blank lines, plain typography', () => {
    const text =
      '¡Hola! 👋 Puedo ayudarte con:\n\n• Reportar una falla: “reportar falla”\n•   Ver las OT pendientes…\n\n\n— Somacor';
    expect(compactText(text)).toBe(
      '¡Hola! Puedo ayudarte con:\n- Reportar una falla: "reportar falla"\n- Ver las OT pendientes...\n- Somacor',
    );
    expect(compactText('👨‍🔧 Técnico 1️⃣ en 🇨🇱 faena 👍🏽')).toBe('Técnico 1 en faena');
    // Nothing but the words decides the encoding: this one fits GSM-7.
    expect(countSegments(compactText(text)).encoding).toBe('GSM-7');
  });

  it('keeps Spanish accents by default and folds only what GSM-7 lacks when asked', () => {
    const message = { conversationId: to, text: 'Elige la prioridad: Crítica o Baja. ¿Qué equipo, señor?' };
    expect(renderSms(message)).toEqual(['Elige la prioridad: Crítica o Baja. ¿Qué equipo, señor?']);
    const [folded] = renderSms(message, { gsm7Fold: true });
    expect(folded).toBe('Elige la prioridad: Critica o Baja. ¿Qué equipo, señor?');
    expect(countSegments(folded!).encoding).toBe('GSM-7');
  });

  it('splits past 1,600 characters at line or word boundaries, the options whole in the last part', () => {
    const lines = Array.from(
      { length: 60 },
      (_, i) => `Línea ${i + 1}: equipo CAT-${String(i).padStart(3, '0')} en faena`,
    );
    const buttons = [
      { id: 'confirm:yes', title: 'Confirmar' },
      { id: 'confirm:no', title: 'Cancelar' },
    ];
    const parts = renderSms({ conversationId: to, text: lines.join('\n'), buttons });
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(1600);
    expect(parts.join('\n').split('\n').slice(0, 60)).toEqual(lines);
    expect(parts.at(-1)).toMatch(/\n1\. Confirmar\n2\. Cancelar\nResponde 1 o 2\.$/);

    const words = 'palabra '.repeat(500).trim();
    const split = renderSms({ conversationId: to, text: words });
    expect(split.map((p) => p.length).every((n) => n <= 1600)).toBe(true);
    expect(split.join(' ')).toBe(words);
  });

  it('numbers at most 10 options (more are dropped and counted), titles cut at 40', () => {
    const buttons = Array.from({ length: 12 }, (_, i) => ({ id: `equipment:${i}`, title: `Equipo ${i + 1}` }));
    const [body] = renderSms({ conversationId: to, text: '¿Cuál es?', buttons });
    expect(body).toContain('\n10. Equipo 10\nResponde 1, 2, 3, 4, 5, 6, 7, 8, 9 o 10.');
    expect(body).not.toContain('Equipo 11');
    expect(droppedButtons({ conversationId: to, text: '', buttons })).toBe(2);
    const [long] = renderSms({ conversationId: to, text: 'x', buttons: [{ id: 'a', title: 'T'.repeat(60) }] });
    expect(long).toBe(`x\n1. ${'T'.repeat(37)}...\nResponde 1 para elegirla.`);
  });

  it('shortens titles with "...", so that a folded message stays GSM-7', () => {
    const buttons = [
      { id: 'equipment:1', title: 'Excavadora hidráulica CAT-001 del sector norte, rajo principal' },
      { id: 'equipment:2', title: 'Camión' },
    ];
    const [body] = renderSms({ conversationId: to, text: '¿Cuál equipo?', buttons }, { gsm7Fold: true });
    expect(body).toBe(
      '¿Cuál equipo?'.replace('á', 'a') + '\n1. Excavadora hidraulica CAT-001 del sec...\n2. Camion\nResponde 1 o 2.',
    );
    expect(countSegments(body!).encoding).toBe('GSM-7');
  });

  it('spells arrows, degrees and signs GSM-7 lacks in plain letters, dropping none', () => {
    expect(compactText('Filtro → bodega ← taller')).toBe('Filtro -> bodega <- taller');
    expect(compactText('Motor a 95 °C (máx. 90°C), giro 90°, N° OT 12, 1º turno')).toBe(
      'Motor a 95 C (máx. 90 C), giro 90 grados, Nro. OT 12, 1o turno',
    );
    expect(compactText('Caterpillar® Cat™ © 2026, 2×4')).toBe('Caterpillar(R) Cat(TM) (c) 2026, 2x4');
    expect(countSegments(compactText('→ ← ° º © ® ™ × N°')).encoding).toBe('GSM-7');
  });

  it('sends nothing for a text of emoji only', () => {
    expect(renderSms({ conversationId: to, text: '👍' })).toEqual([]);
  });
});
