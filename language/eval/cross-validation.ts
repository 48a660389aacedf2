import type { CorpusExample } from '../classifier-corpus.ts';
import { type Evaluation, type Reading, scoreReadings } from './evaluate.ts';

/**
 * Repeated k-fold cross-validation on the training corpus (how the combination and its threshold are
 * chosen; the held-out corpus is never used for that). The folds are stratified by intent and
 * deterministic: the examples of each intent are dealt to the folds in turn, in corpus order for the first
 * repetition and in a fixed pseudo-random order (seeded by the repetition) for the others.
 */

/** A small seeded generator (mulberry32): the same seed, the same sequence. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The examples in a fixed order of the repetition (corpus order for repetition 0). */
function ordered<T>(examples: readonly T[], repetition: number): T[] {
  const list = [...examples];
  if (repetition === 0) return list;
  const random = seeded(repetition);
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

export function folds<T extends { intent: string }>(examples: readonly T[], k: number, repetition = 0): T[][] {
  const result: T[][] = Array.from({ length: k }, () => []);
  const dealt = new Map<string, number>();
  for (const example of ordered(examples, repetition)) {
    const n = dealt.get(example.intent) ?? 0;
    result[n % k]!.push(example);
    dealt.set(example.intent, n + 1);
  }
  return result;
}

/**
 * Every example predicted by a model trained on the other folds, once per repetition: `train(examples)`
 * returns the predictor. The predictions come back in repetition and fold order, each with its example.
 */
export function crossValidate<P>(
  examples: readonly CorpusExample[],
  k: number,
  train: (training: CorpusExample[]) => (example: CorpusExample) => P,
  repetitions = 1,
): { example: CorpusExample; prediction: P }[] {
  const result: { example: CorpusExample; prediction: P }[] = [];
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    const parts = folds(examples, k, repetition);
    for (const [i, test] of parts.entries()) {
      const predict = train(parts.filter((_, j) => j !== i).flat());
      for (const example of test) result.push({ example, prediction: predict(example) });
    }
  }
  return result;
}

/** Reads a text (a combination of rules, classifier and slot extractors). */
export type Reader = (text: string) => Reading;

/**
 * Several readers cross-validated together: `readers(training)` gives, for the examples of the other folds,
 * each reader by name. Each held-out example is read as `transform` makes it (as written by default) and
 * scored against its own labels.
 */
export function crossValidateReaders(
  examples: readonly CorpusExample[],
  k: number,
  repetitions: number,
  readers: (training: CorpusExample[]) => ReadonlyMap<string, Reader>,
  transform: (text: string) => string = (text) => text,
): Map<string, Evaluation> {
  const readings = new Map<string, { example: CorpusExample; reading: Reading }[]>();
  crossValidate(
    examples,
    k,
    (training) => {
      const byName = readers(training);
      return (example) => {
        const text = transform(example.text);
        for (const [name, read] of byName) {
          if (!readings.has(name)) readings.set(name, []);
          readings.get(name)!.push({ example, reading: read(text) });
        }
        return undefined;
      };
    },
    repetitions,
  );
  return new Map(
    [...readings].map(([name, list]) => [
      name,
      scoreReadings(
        list.map((r) => r.example),
        list.map((r) => r.reading),
      ),
    ]),
  );
}
