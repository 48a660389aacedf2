/**
 * The parts of nlp.js the classifier uses (the packages ship no types). `@nlpjs/neural`'s network is a
 * layer of perceptrons (one per intent) trained synchronously from zero weights: deterministic.
 */

declare module '@nlpjs/neural' {
  export interface NeuralNetworkSettings {
    iterations?: number;
    errorThresh?: number;
    deltaErrorThresh?: number;
    learningRate?: number;
    momentum?: number;
    alpha?: number;
    log?: boolean;
  }

  /** A training item: feature → value in, intent → 1 out. */
  export interface NeuralTrainingItem {
    input: Record<string, number>;
    output: Record<string, number>;
  }

  export interface NeuralNetworkJson {
    settings: NeuralNetworkSettings;
    features?: string[];
    intents?: string[];
    /** Per intent: one weight per feature, then the bias. */
    perceptrons?: number[][];
  }

  export class NeuralNetwork {
    constructor(settings?: NeuralNetworkSettings);
    train(corpus: NeuralTrainingItem[]): { error: number; deltaError: number; iterations: number };
    /** Each intent's activation (0 or more); undefined before training. */
    run(input: Record<string, number>): Record<string, number> | undefined;
    toJSON(): NeuralNetworkJson;
    fromJSON(json: NeuralNetworkJson): void;
  }
}

declare module '@nlpjs/lang-es' {
  /** Snowball's Spanish stemmer (with nlp.js's dictionary of exceptions). */
  export class StemmerEs {
    stemWord(word: string): string;
  }

  /** nlp.js's Spanish stop words ("el", "la", "que", "no", "sí"), as the keys of `dictionary`. */
  export class StopwordsEs {
    dictionary: Record<string, 1>;
  }
}
