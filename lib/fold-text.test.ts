import { describe, expect, it } from 'vitest';
import { foldText } from './fold-text.ts';

describe('foldText', () => {
  it('strips accents and case, and collapses whitespace', () => {
    expect(foldText('  Camión   GRÚA\tñandú ')).toBe('camion grua nandu');
  });

  it('keeps digits and punctuation as they are', () => {
    expect(foldText('CAT-001 / Pérez')).toBe('cat-001 / perez');
  });
});
