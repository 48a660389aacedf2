/// <reference path="./nlpjs.d.ts" />
import type { NeuralNetworkJson, NeuralTrainingItem } from '@nlpjs/neural';

/**
 * nlp.js's `NeuralNetwork.train` (@nlpjs/neural 4.x, its default settings) on typed arrays: the same
 * algorithm, the same order of operations and the same float32 weights, so the model is the one nlp.js
 * trains, bit for bit (classifier.test.ts compares them), but trained 30–50 times faster. nlp.js keeps
 * each example as an object keyed by feature numbers, which V8 stores as a slow dictionary; the training
 * of the real corpus took seconds.
 */

/** @nlpjs/neural's defaults (its `defaultSettings`). */
export const NLPJS_SETTINGS = {
  iterations: 20000,
  errorThresh: 0.00005,
  deltaErrorThresh: 0.000001,
  learningRate: 0.6,
  momentum: 0.5,
  alpha: 0.07,
} as const;

/** An nlp.js lookup: names in order of first appearance (`Object.keys` order, as nlp.js reads them). */
function lookup(items: readonly Record<string, number>[]): { names: string[]; index: Map<string, number> } {
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const item of items) {
    for (const key of Object.keys(item)) {
      if (!index.has(key)) {
        index.set(key, names.length);
        names.push(key);
      }
    }
  }
  return { names, index };
}

interface Example {
  keys: Int32Array;
  values: Float64Array;
  /** Expected output per intent (nlp.js's `output.data[id] || 0`). */
  expected: Float64Array;
}

export type NetworkSettings = Partial<Record<keyof typeof NLPJS_SETTINGS, number>>;

/** Trains as `new NeuralNetwork({ log: false, ...settings }).train(corpus)` then `toJSON()` would. */
export function trainNetwork(corpus: readonly NeuralTrainingItem[], settings: NetworkSettings = {}): NeuralNetworkJson {
  const items = corpus.map((item) => ({ input: { ...item.input }, output: { ...item.output } }));
  const last = items.at(-1);
  // nlp.js's none feature: the last item, when it is the none feature's, outputs a trace of every intent.
  if (last && last.input.nonefeature !== undefined) {
    for (const item of items.slice(0, -1)) for (const intent of Object.keys(item.output)) last.output[intent] = 1e-7;
  }
  const features = lookup(items.map((item) => item.input));
  const intents = lookup(items.map((item) => item.output));
  const examples: Example[] = items.map(({ input, output }) => {
    const keys = Object.keys(input);
    const expected = new Float64Array(intents.names.length);
    for (const key of Object.keys(output)) expected[intents.index.get(key)!] = output[key]!;
    return {
      keys: Int32Array.from(keys, (key) => features.index.get(key)!),
      values: Float64Array.from(keys, (key) => input[key]!),
      expected,
    };
  });
  const n = features.names.length;
  const weights = intents.names.map(() => new Float32Array(n));
  const changes = intents.names.map(() => new Float32Array(n));
  const bias = new Float64Array(intents.names.length);
  const { iterations, errorThresh, deltaErrorThresh, learningRate, momentum, alpha } = {
    ...NLPJS_SETTINGS,
    ...settings,
  };
  let error = Number.POSITIVE_INFINITY;
  let deltaError = Number.POSITIVE_INFINITY;
  for (
    let iteration = 1;
    iteration <= iterations && error > errorThresh && deltaError > deltaErrorThresh;
    iteration += 1
  ) {
    const rate = learningRate / (1 + 0.001 * iteration);
    const lastError = error;
    error = 0;
    for (let p = 0; p < weights.length; p += 1) {
      const w = weights[p]!;
      const c = changes[p]!;
      let perceptronError = 0;
      for (const { keys, values, expected } of examples) {
        let sum = bias[p]!;
        for (let j = 0; j < keys.length; j += 1) sum += values[j]! * w[keys[j]!]!;
        const actual = sum <= 0 ? 0 : alpha * sum;
        const currentError = expected[p]! - actual;
        if (currentError) {
          perceptronError += currentError ** 2;
          const delta = (actual > 0 ? 1 : alpha) * currentError * rate;
          for (let j = 0; j < keys.length; j += 1) {
            const key = keys[j]!;
            const change = delta * values[j]! + momentum * c[key]!;
            c[key] = change;
            w[key]! += change;
          }
          bias[p]! += delta;
        }
      }
      error += perceptronError;
    }
    error /= weights.length * examples.length;
    deltaError = Math.abs(error - lastError);
  }
  return {
    settings: Object.fromEntries(
      Object.entries(settings).filter(([key, value]) => value !== NLPJS_SETTINGS[key as keyof NetworkSettings]),
    ),
    features: features.names,
    intents: intents.names,
    perceptrons: weights.map((w, p) => [...w, bias[p]!]),
  };
}
