import { describe, expect, it } from 'vitest';
import { CLASSIFIER_OPTIONS } from './classifier.ts';
import { stemOf } from './classifier-features.ts';
import { IntentClassifier } from './classifier-model.ts';
import { SEED_CORPUS } from './classifier-seed.ts';
import { WordResolver } from './classifier-words.ts';

/** A resolver that knows these words (and their stems). */
function knowing(...words: string[]) {
  const stems = new Set(words.map(stemOf));
  return new WordResolver({
    hasStem: (stem) => stems.has(stem),
    stem: stemOf,
    counts: new Map(words.map((word, i) => [word, words.length - i])),
  });
}
const resolve = (resolver: WordResolver, word: string) => resolver.resolve(word, stemOf(word));

describe('a word never seen in training', () => {
  it('is read without the pronoun attached to it', () => {
    const resolver = knowing('cierra', 'manda', 'desconectar');
    expect(resolve(resolver, 'cierrala')).toEqual([stemOf('cierra')]);
    expect(resolve(resolver, 'mandame')).toEqual([stemOf('manda')]);
    expect(resolve(resolver, 'desconectarme')).toEqual([stemOf('desconectar')]);
  });

  it('is read as its synonyms the model knows', () => {
    const resolver = knowing('cancelar', 'anular', 'silenciar');
    expect(resolve(resolver, 'abortar')).toEqual([stemOf('cancelar'), stemOf('anular')]);
    expect(resolve(resolver, 'mutear')).toEqual([stemOf('silenciar')]);
  });

  it('is read as the known word one typo away, the most frequent one first', () => {
    const resolver = knowing('hola', 'notificaciones', 'vincular', 'vinculas');
    expect(resolve(resolver, 'holaa')).toEqual([stemOf('hola')]);
    expect(resolve(resolver, 'notificasiones')).toEqual([stemOf('notificaciones')]);
    expect(resolve(resolver, 'vinculat')).toEqual([stemOf('vincular')]);
  });

  it('stays unread when nothing known is near it', () => {
    const resolver = knowing('hola', 'cancelar');
    for (const word of ['wifi', 'presidente', 'ola', 'xkcd']) expect(resolve(resolver, word), word).toEqual([]);
  });
});

describe('the classifier with unseen words read', () => {
  const reading = IntentClassifier.train(SEED_CORPUS, { ...CLASSIFIER_OPTIONS, resolveUnknown: true });
  const plain = IntentClassifier.train(SEED_CORPUS, { ...CLASSIFIER_OPTIONS, resolveUnknown: false });
  const top = (classifier: IntentClassifier, text: string) => classifier.classify(text)[0]!.intent;

  it('understands a synonym, a typo or a pronoun it was not taught', () => {
    for (const [text, intent] of [
      ['abortar', 'cancel'],
      ['enlazar mi cuenta', 'link'],
      ['vincualr mi cuenta', 'link'],
    ] as const) {
      expect(top(reading, text), text).toBe(intent);
      expect(top(plain, text), text).not.toBe(intent);
    }
  });

  it('keeps the words it knows as they are', () => {
    for (const { text, intent } of SEED_CORPUS) {
      expect(reading.classify(text), text).toEqual(plain.classify(text));
      expect(top(reading, text), text).toBe(intent);
    }
  });
});
