import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type ClassifierJson, IntentClassifier } from './classifier-model.ts';

/**
 * The trained model kept on disk between processes when training is slow: a JSON file named by a hash of
 * everything that makes the model (the corpus, the classifier's own source and the nlp.js versions), so
 * that a change to any of them trains again. Written atomically (a temporary file renamed); a file that
 * does not parse as a model is trained again and replaced.
 */

/** Training slower than this is worth a file (reading the file takes a few milliseconds; training, 100–200 ms). */
export const CACHE_ABOVE_MS = 50;

const SOURCES = ['classifier-text.ts', 'classifier-features.ts', 'classifier-model.ts', 'classifier-network.ts'];
const PACKAGES = ['@nlpjs/neural', '@nlpjs/lang-es'];

/** The hash naming the model trained from this corpus text with these options. */
export function modelKey(corpusText: string, options: unknown): string {
  const hash = createHash('sha256').update(corpusText).update(JSON.stringify(options));
  for (const source of SOURCES) hash.update(readFileSync(new URL(`./${source}`, import.meta.url)));
  const require = createRequire(import.meta.url);
  for (const name of PACKAGES)
    hash.update(`${name}@${(require(`${name}/package.json`) as { version: string }).version}`);
  return hash.digest('hex').slice(0, 24);
}

export interface LoadedClassifier {
  classifier: IntentClassifier;
  /** How long training took (0 when read from the file). */
  trainingMs: number;
  /** How long reading the file took, when it was read. */
  loadMs?: number;
  fromCache: boolean;
}

function readModel(file: string): IntentClassifier | undefined {
  try {
    return IntentClassifier.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as ClassifierJson);
  } catch {
    return undefined; // missing or corrupt: trained again
  }
}

function writeModel(file: string, dir: string, classifier: IntentClassifier): void {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, JSON.stringify(classifier.toJSON()));
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true }); // a read-only disk only costs the next process a training
  }
}

/** The model named `key` from `dir`, else trained (and saved there when training took over `saveAboveMs`). */
export function loadOrTrain(
  dir: string,
  key: string,
  train: () => IntentClassifier,
  saveAboveMs = CACHE_ABOVE_MS,
): LoadedClassifier {
  const file = join(dir, `omnibot-intents-${key}.json`);
  const loadStart = performance.now();
  const cached = readModel(file);
  if (cached) return { classifier: cached, trainingMs: 0, loadMs: performance.now() - loadStart, fromCache: true };
  const start = performance.now();
  const classifier = train();
  const trainingMs = performance.now() - start;
  if (trainingMs > saveAboveMs) writeModel(file, dir, classifier);
  return { classifier, trainingMs, fromCache: false };
}
