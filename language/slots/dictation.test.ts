import { describe, expect, it } from 'vitest';
import { normalizeDictation } from './index.ts';
import { spokenDigitsAt } from './number-words.ts';

describe('normalizeDictation', () => {
  it.each([
    ['cat cero cero uno no parte', 'cat 001 no parte'],
    ['la kom cero cero dos', 'la kom 002'],
    ['kom cero uno', 'kom 01'],
    ['atl uno', 'atl 1'],
    ['cat doble cero uno', 'cat 001'],
    ['cat tres treinta y seis', 'cat 336'],
  ])('%s → %s', (folded, written) => {
    expect(normalizeDictation(folded)).toBe(written);
  });

  it('keeps number words that follow no code prefix', () => {
    expect(normalizeDictation('hay dos fugas y la cat cero uno')).toBe('hay dos fugas y la cat 01');
    expect(normalizeDictation('se apago dos veces')).toBe('se apago dos veces');
  });
});

describe('spokenDigitsAt', () => {
  it.each([
    ['cero cero uno', '001', 3],
    ['uno cinco', '15', 2],
    ['dieciocho', '18', 1],
    ['trescientos treinta y seis', '336', 4],
    ['ciento veinte horas', '120', 2],
    ['una falla', '', 0],
  ])('%s → %s', (words, digits, length) => {
    expect(spokenDigitsAt(words.split(' '), 0)).toEqual({ digits, length });
  });
});
