import { describe, expect, it } from 'vitest';
import { onlyStopWords, wordsOf } from './classifier-features.ts';
import { classifierText, emojiAsWords } from './classifier-text.ts';

describe('what the classifier reads in chat writing', () => {
  it('reads the emoji that say a word as that word, and drops the others', () => {
    expect(classifierText('👍')).toBe('ok');
    expect(classifierText('👍👍')).toBe('ok ok');
    expect(classifierText('👌 gracias 🙏')).toBe('ok gracias gracias');
    expect(classifierText('😂😂')).toBe('jaja jaja');
    expect(wordsOf('🤔 😳')).toEqual([]);
    expect(emojiAsWords('listo👍')).toBe('listo ok ');
  });

  it('reads a syllable said again and again as a laugh, and real words as they are', () => {
    for (const text of ['jajajaja', 'jsjsjs', 'blablabla', 'JAJAJAJ']) expect(classifierText(text), text).toBe('jaja');
    for (const text of ['tac tac', 'papa', 'cocina', 'nene']) expect(classifierText(text), text).toBe(text);
  });

  it('says nothing with stop words alone, but "para" and "ya no" say something in a chat', () => {
    for (const text of ['no', 'sí', 'de la', '¿y?']) expect(onlyStopWords(text), text).toBe(true);
    for (const text of ['para', 'ya no', 'ya']) expect(onlyStopWords(text), text).toBe(false);
  });
});
