import { tmpdir } from 'node:os';
import { loadOrTrain, modelKey } from './classifier-cache.ts';
import { corpusText, parseCorpus, TRAIN_CORPUS } from './classifier-corpus.ts';
import { type ClassifierOptions, IntentClassifier, type IntentScore } from './classifier-model.ts';

export {
  type ClassifierOptions,
  IntentClassifier,
  type IntentScore,
  type TrainingExample,
} from './classifier-model.ts';

/**
 * The intent classifier of the assistant, trained from `language/corpus/train.json` only, once per
 * process and on first use (or read from the model file a previous process saved, see
 * classifier-cache.ts); after that `classifyIntent` is synchronous and takes microseconds.
 */

/**
 * The options chosen by cross-validation on train.json (`npm run eval:language -- --features` compares
 * them): stems, letter trigrams and the question mark; the network stopped after 10 passes (nlp.js trains
 * until it fits every example, which learns the training phrasings by heart: 2.4 points less on unseen
 * ones); words never seen read as known ones (classifier-words.ts).
 */
export const CLASSIFIER_OPTIONS: ClassifierOptions = {
  features: { bigrams: 0, question: true, trigrams: 0.4 },
  none: true,
  activation: false,
  network: { iterations: 10 },
  resolveUnknown: true,
};

export interface ClassifierTraining {
  examples: number;
  /** Training time in this process (0 when the model was read from the file). */
  trainingMs: number;
  loadMs?: number;
  fromCache: boolean;
}

let trained: { classifier: IntentClassifier; training: ClassifierTraining } | undefined;

function defaultClassifier() {
  if (!trained) {
    const text = corpusText(TRAIN_CORPUS);
    const examples = parseCorpus(text).map(({ text, intent }) => ({ text, intent }));
    const loaded = loadOrTrain(tmpdir(), modelKey(text, CLASSIFIER_OPTIONS), () =>
      IntentClassifier.train(examples, CLASSIFIER_OPTIONS),
    );
    const { classifier, ...timing } = loaded;
    trained = { classifier, training: { examples: examples.length, ...timing } };
  }
  return trained;
}

/** The intents' scores for a message, best first (trains on first use). */
export function classifyIntent(text: string): IntentScore[] {
  return defaultClassifier().classifier.classify(text);
}

/** How this process got its classifier (trains on first use). */
export function classifierTraining(): ClassifierTraining {
  return defaultClassifier().training;
}
