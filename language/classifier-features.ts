/// <reference path="./nlpjs.d.ts" />
import { StemmerEs, StopwordsEs } from '@nlpjs/lang-es';
import { foldText } from '../lib/fold-text.ts';
import { classifierText, EQUIPMENT_TOKEN, NUMBER_TOKEN, ORDER_TOKEN } from './classifier-text.ts';

/**
 * The features of a message for the classifier: the Spanish stems of its words (nlp.js's Snowball stemmer,
 * stop words kept: "no" matters in "no arranca"), optionally the pairs of adjacent stems ("no_arranc",
 * "mis_ot") and a mark for a question.
 */

export interface FeatureOptions {
  /** Adjacent stem pairs as features too, with this weight (0: none). */
  bigrams: number;
  /** A `?` in the message is a feature ("¿cómo va la OT-5?" against "iniciar OT-5"). */
  question: boolean;
  /** The letter trigrams of each word as features too, with this weight (0: none): "okis" shares "#ok" with "ok". */
  trigrams: number;
  /** The letter 4-grams of each word too, with this weight (0 or absent: none). */
  fourgrams?: number;
  /** The folded word itself too, where its stem differs, with this weight ("sale" is not "salir"). */
  surface?: number;
  /** Articles and prepositions give no stem feature (their letters still count). */
  skipFunctionWords?: boolean;
}

export const DEFAULT_FEATURES: FeatureOptions = { bigrams: 0, question: false, trigrams: 0 };

const stemmer = new StemmerEs();
const PLACEHOLDERS = new Set([EQUIPMENT_TOKEN, NUMBER_TOKEN, ORDER_TOKEN]);
const QUESTION = '?q';

/** nlp.js's Spanish stop words, folded ("sí", "no", "que", "el"). */
const STOP_WORDS: ReadonlySet<string> = new Set(Object.keys(new StopwordsEs().dictionary).map(foldText));
/** Stop words that say something alone in a chat: "para" (stop!), "ya" (ok), "ya no" (never mind). */
const SAYS_SOMETHING = new Set(['para', 'ya']);

/** Whether a message says nothing but stop words ("no", "sí", "¿y?"): nothing to classify. */
export function onlyStopWords(text: string): boolean {
  return wordsOf(text).every((word) => STOP_WORDS.has(word) && !SAYS_SOMETHING.has(word));
}

/** The words of a message as the classifier reads it (see classifier-text.ts). */
export const wordsOf = (text: string) =>
  classifierText(text)
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

interface WordFeatures {
  stem: string;
  /** The word as written (folded), marked: "=sale". */
  surface: string;
  /** The word's letter trigrams, with its edges marked ("ok" → "~#ok", "~ok#"). */
  trigrams: readonly string[];
  fourgrams: readonly string[];
}

const FUNCTION_WORDS = new Set('a al el la los las lo un una unos unas de del en con por'.split(' '));

/** Each word's stem and trigrams, computed once (bounded: emptied when full). */
const seenWords = new Map<string, WordFeatures>();
const MAX_SEEN_WORDS = 20_000;

function wordFeatures(word: string): WordFeatures {
  let found = seenWords.get(word);
  if (!found) {
    const placeholder = PLACEHOLDERS.has(word);
    const marked = `#${word}#`;
    const trigrams: string[] = [];
    const fourgrams: string[] = [];
    if (!placeholder) for (let i = 0; i + 3 <= marked.length; i += 1) trigrams.push(`~${marked.slice(i, i + 3)}`);
    if (!placeholder) for (let i = 0; i + 4 <= marked.length; i += 1) fourgrams.push(`~${marked.slice(i, i + 4)}`);
    found = { stem: placeholder ? word : stemmer.stemWord(word), surface: `=${word}`, trigrams, fourgrams };
    if (seenWords.size >= MAX_SEEN_WORDS) seenWords.clear();
    seenWords.set(word, found);
  }
  return found;
}

/** The stems of a message's words, in order (the placeholders as they are). */
export function stems(text: string): string[] {
  return wordsOf(text).map((word) => wordFeatures(word).stem);
}

/** A word's stem as the features have it (a placeholder as it is). */
export const stemOf = (word: string) => wordFeatures(word).stem;

/** The known stems an unseen word stands for; undefined or empty when it is known or stands for none. */
export type UnknownWords = (word: string, stem: string) => readonly string[] | undefined;

/** The message's features: feature → value; `unknown` reads the words a model never saw. */
export function featuresOf(text: string, options: FeatureOptions, unknown?: UnknownWords): Record<string, number> {
  const words = wordsOf(text);
  const list = words.map(wordFeatures);
  // No prototype: a stem such as "constructor" is a feature like any other.
  const features: Record<string, number> = Object.create(null);
  for (const [i, { stem }] of list.entries()) {
    if (options.skipFunctionWords && FUNCTION_WORDS.has(words[i]!)) continue;
    const known = unknown?.(words[i]!, stem);
    if (known && known.length > 0) for (const other of known) features[other] ??= 1 / known.length;
    else features[stem] = 1;
  }
  if (options.bigrams > 0) {
    for (let i = 1; i < list.length; i += 1) features[`${list[i - 1]!.stem}_${list[i]!.stem}`] = options.bigrams;
  }
  if (options.surface) {
    for (const [i, { stem, surface }] of list.entries()) if (stem !== words[i]) features[surface] = options.surface;
  }
  if (options.trigrams > 0) {
    for (const { trigrams } of list) for (const trigram of trigrams) features[trigram] ??= options.trigrams;
  }
  if (options.fourgrams) {
    for (const { fourgrams } of list) for (const gram of fourgrams) features[gram] ??= options.fourgrams;
  }
  if (options.question && text.includes('?')) features[QUESTION] = 1;
  return features;
}
