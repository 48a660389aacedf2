/// <reference path="./nlpjs.d.ts" />
import type { NeuralNetworkJson, NeuralTrainingItem } from '@nlpjs/neural';
import {
  DEFAULT_FEATURES,
  type FeatureOptions,
  featuresOf,
  onlyStopWords,
  stemOf,
  wordsOf,
} from './classifier-features.ts';
import { type NetworkSettings, trainNetwork } from './classifier-network.ts';
import { WordResolver } from './classifier-words.ts';

/**
 * The intent classifier: nlp.js's neural network (one perceptron per intent, trained synchronously from
 * zero weights, so the same corpus always gives the same model; classifier-network.ts) over the message's
 * stem features, scored as nlp.js's NLU does (without its async pipeline): words never seen in training
 * push towards `unknown` (the "none feature"), optionally an intent none of whose training words the
 * message has scores 0, and the scores are squared and normalized to sum 1. A word never seen in training
 * may be read as known ones first (classifier-words.ts: a pronoun attached, a typo, a synonym). A message
 * of stop words alone ("no", "sí") says nothing: `unknown`.
 */

export interface TrainingExample {
  text: string;
  intent: string;
}

export interface IntentScore {
  intent: string;
  score: number;
}

export interface ClassifierOptions {
  features: FeatureOptions;
  /** Unknown words count towards `unknown` (nlp.js's none feature). */
  none: boolean;
  /** An intent scores 0 when the message has none of its training features (nlp.js's filterNonActivated). */
  activation: boolean;
  /** The network's training settings other than nlp.js's defaults (classifier-network.ts). */
  network?: NetworkSettings;
  /** Words never seen in training read as known ones (classifier-words.ts). */
  resolveUnknown?: boolean;
}

export const DEFAULT_OPTIONS: ClassifierOptions = { features: DEFAULT_FEATURES, none: true, activation: true };

/** The intent of off-topic or meaningless messages, which the none feature points at. */
export const UNKNOWN = 'unknown';
const NONE_FEATURE = 'nonefeature';
/** nlp.js's default slope of its perceptrons' activation. */
const NLPJS_ALPHA = 0.07;
/** nlp.js's growth of the none feature per further unknown word. */
const NONE_MULTIPLIER = 1.2;

/** A word's stem, not a pair, a letter trigram or a mark (see classifier-features.ts). */
const isWord = (feature: string) => /^[a-z0-9]+$/.test(feature);

export interface ClassifierJson {
  options: ClassifierOptions;
  network: NeuralNetworkJson;
  /** Per intent, the features its training examples have (for the activation filter). */
  intentFeatures: Record<string, string[]>;
  /** The training words → how often they were seen (for typos). */
  vocabulary?: Record<string, number>;
}

export class IntentClassifier {
  readonly #json: ClassifierJson;
  readonly #options: ClassifierOptions;
  /** The network's intents, in its order. */
  readonly #intents: readonly string[];
  /** Feature → its column in the network's weights. */
  readonly #columns: ReadonlyMap<string, number>;
  /** Per intent, its perceptron's weights (one per column) and bias. */
  readonly #weights: readonly Float32Array[];
  readonly #bias: Float64Array;
  /** Per column, the intents whose training examples have the feature, as bits (for the activation filter). */
  readonly #activatedBy: Int32Array;
  readonly #noneColumn: number | undefined;
  readonly #noneDelta: number;
  readonly #alpha: number;
  readonly #resolver: WordResolver | undefined;

  private constructor(json: ClassifierJson) {
    const { features = [], intents = [], perceptrons = [], settings } = json.network;
    if (intents.length > 31) throw new Error('at most 31 intents');
    this.#json = json;
    this.#options = json.options;
    this.#intents = intents;
    this.#columns = new Map(features.map((feature, column) => [feature, column]));
    this.#weights = perceptrons.map((weights) => Float32Array.from(weights.slice(0, features.length)));
    this.#bias = Float64Array.from(perceptrons.map((weights) => weights[features.length] ?? 0));
    this.#activatedBy = new Int32Array(features.length);
    for (const [bit, intent] of intents.entries()) {
      for (const feature of json.intentFeatures[intent] ?? []) {
        const column = this.#columns.get(feature);
        if (column !== undefined) this.#activatedBy[column]! |= 1 << bit;
      }
    }
    this.#noneColumn = this.#columns.get(NONE_FEATURE);
    // nlp.js's step: intents per known word (its features are words; the trigrams and pairs are not counted).
    const knownWords = features.filter(isWord).length;
    this.#noneDelta = Object.keys(json.intentFeatures).length / Math.max(1, knownWords);
    this.#alpha = settings.alpha ?? NLPJS_ALPHA;
    const columns = this.#columns;
    this.#resolver = json.options.resolveUnknown
      ? new WordResolver({
          hasStem: (stem) => columns.has(stem),
          stem: stemOf,
          counts: new Map(Object.entries(json.vocabulary ?? {})),
        })
      : undefined;
  }

  /** The known stems for a word the model never saw (undefined for a known one). */
  readonly #unknownWord = (word: string, stem: string) =>
    this.#columns.has(stem) ? undefined : this.#resolver?.resolve(word, stem);

  /** Trains a classifier on the examples (synchronous; deterministic for the same examples and options). */
  static train(examples: readonly TrainingExample[], options: ClassifierOptions = DEFAULT_OPTIONS): IntentClassifier {
    const intentFeatures: Record<string, string[]> = {};
    const seen = new Map<string, Set<string>>();
    const vocabulary = new Map<string, number>();
    const corpus: NeuralTrainingItem[] = examples.map(({ text, intent }) => {
      for (const word of wordsOf(text)) vocabulary.set(word, (vocabulary.get(word) ?? 0) + 1);
      const input = featuresOf(text, options.features);
      const features = seen.get(intent) ?? new Set<string>();
      for (const feature of Object.keys(input)) features.add(feature);
      seen.set(intent, features);
      return { input, output: { [intent]: 1 } };
    });
    for (const [intent, features] of seen) intentFeatures[intent] = [...features];
    if (options.none) corpus.push({ input: { [NONE_FEATURE]: 1 }, output: { [UNKNOWN]: 1 } });
    const network = trainNetwork(corpus, options.network);
    const words = options.resolveUnknown ? { vocabulary: Object.fromEntries(vocabulary) } : {};
    return new IntentClassifier({ options, network, intentFeatures, ...words });
  }

  /** A classifier saved with `toJSON` (throws on a malformed model). */
  static fromJSON(json: ClassifierJson): IntentClassifier {
    const { features, intents, perceptrons } = json?.network ?? {};
    const wellFormed =
      Array.isArray(features) &&
      Array.isArray(intents) &&
      Array.isArray(perceptrons) &&
      perceptrons.length === intents.length &&
      perceptrons.every((weights) => Array.isArray(weights) && weights.length === features.length + 1) &&
      typeof json.intentFeatures === 'object' &&
      typeof json.options?.features === 'object';
    if (!wellFormed) throw new Error('not an intent classifier model');
    return new IntentClassifier(json);
  }

  toJSON(): ClassifierJson {
    return this.#json;
  }

  /**
   * The intents' scores for the message, best first (they sum to 1). The network's perceptrons are run
   * as nlp.js runs them (leaky at 0: `alpha × (bias + Σ value × weight)` when positive, else 0), on its
   * trained weights without building its input objects.
   */
  classify(text: string): IntentScore[] {
    if (onlyStopWords(text)) return [{ intent: UNKNOWN, score: 1 }];
    const features = featuresOf(text, this.#options.features, this.#resolver && this.#unknownWord);
    const sums = Float64Array.from(this.#bias);
    let unknownWords = 0;
    let activated = 0;
    for (const feature in features) {
      const column = this.#columns.get(feature);
      if (column === undefined) {
        if (isWord(feature)) unknownWords += 1;
        continue;
      }
      activated |= this.#activatedBy[column]!;
      this.#add(sums, column, features[feature]!);
    }
    if (this.#options.none && unknownWords > 0 && this.#noneColumn !== undefined) {
      this.#add(sums, this.#noneColumn, this.#noneValue(unknownWords));
    }
    const scored: IntentScore[] = [];
    let total = 0;
    for (const [i, intent] of this.#intents.entries()) {
      const output = sums[i]! <= 0 ? 0 : this.#alpha * sums[i]!;
      const active = !this.#options.activation || intent === UNKNOWN || (activated & (1 << i)) !== 0;
      const score = active ? output ** 2 : 0;
      total += score;
      if (score > 0) scored.push({ intent, score });
    }
    if (total === 0) return [{ intent: UNKNOWN, score: 1 }];
    for (const entry of scored) entry.score /= total;
    return scored.sort((a, b) => b.score - a.score || a.intent.localeCompare(b.intent));
  }

  #add(sums: Float64Array, column: number, value: number): void {
    for (let i = 0; i < sums.length; i += 1) sums[i]! += value * this.#weights[i]![column]!;
  }

  #noneValue(unknownWords: number): number {
    let value = 0;
    let delta = this.#noneDelta;
    for (let i = 0; i < unknownWords; i += 1) {
      value += delta;
      delta *= NONE_MULTIPLIER;
    }
    return value;
  }
}
