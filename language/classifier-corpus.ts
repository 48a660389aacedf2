import { readFileSync } from 'node:fs';
import type { Priority } from './types.ts';

/**
 * The labelled corpus (`language/corpus/*.json`): a JSON array of `{ text, intent, slots? }`, the slots in
 * the corpus's own form (equipment as the sorted catalog codes).
 */

export interface GoldSlots {
  equipment?: string[];
  description?: string;
  priority?: Priority;
  workOrder?: string;
  technician?: string;
}

export interface CorpusExample {
  text: string;
  intent: string;
  slots?: GoldSlots;
}

export const TRAIN_CORPUS = new URL('./corpus/train.json', import.meta.url);
export const HELDOUT_CORPUS = new URL('./corpus/heldout.json', import.meta.url);

/** The examples of a corpus text (throws when it is not an array of labelled texts). */
export function parseCorpus(json: string): CorpusExample[] {
  const data: unknown = JSON.parse(json);
  if (!Array.isArray(data)) throw new Error('a corpus is a JSON array');
  return data.map((item: unknown, i) => {
    const example = item as CorpusExample;
    if (typeof example?.text !== 'string' || typeof example.intent !== 'string') {
      throw new Error(`corpus item ${i} needs a text and an intent`);
    }
    return example;
  });
}

/** A corpus file's text (read synchronously). */
export const corpusText = (file: URL) => readFileSync(file, 'utf8');
