import { describe, expect, it } from 'vitest';
import { splitTail, splitText, truncate } from './split-text.ts';

describe('splitText', () => {
  it('keeps a short text whole', () => {
    expect(splitText('Hola, ¿en qué te ayudo?', 4096)).toEqual(['Hola, ¿en qué te ayudo?']);
  });

  it('splits at paragraph breaks, each chunk within the limit, losing no words', () => {
    const paragraph = 'La bomba hidráulica pierde presión al subir la pluma. '.repeat(20).trim();
    const text = [paragraph, paragraph, paragraph].join('\n\n');
    const chunks = splitText(text, 2500);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(2500);
    expect(chunks.join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
  });

  it('cuts a text without spaces hard, never inside an emoji', () => {
    const text = '🚜'.repeat(3000); // 6000 UTF-16 units
    const chunks = splitText(text, 4096);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(4096);
      expect(chunk).toMatch(/^(🚜)+$/u);
    }
    expect(chunks.join('')).toBe(text);
  });
});

describe('splitTail', () => {
  it('returns the last part within the limit and the head before it', () => {
    const text = `${'Detalle de la orden. '.repeat(80)}\n\n¿Confirmas el reporte?`;
    const { head, tail } = splitTail(text, 1024);
    expect(tail.length).toBeLessThanOrEqual(1024);
    expect(tail.endsWith('¿Confirmas el reporte?')).toBe(true);
    expect(`${head} ${tail}`.split(/\s+/)).toEqual(text.split(/\s+/));
  });

  it('has no head for a short text', () => {
    expect(splitTail('¿Confirmas?', 1024)).toEqual({ head: '', tail: '¿Confirmas?' });
  });
});

describe('truncate', () => {
  it('shortens long labels with an ellipsis', () => {
    expect(truncate('Excavadora hidráulica CAT 320', 20)).toBe('Excavadora hidráuli…');
    expect(truncate('Alta', 20)).toBe('Alta');
  });
});
