/// <reference path="./nlpjs.d.ts" />
import { NeuralNetwork, type NeuralTrainingItem } from '@nlpjs/neural';
import { describe, expect, it } from 'vitest';
import { featuresOf } from './classifier-features.ts';
import { trainNetwork } from './classifier-network.ts';
import { SEED_CORPUS } from './classifier-seed.ts';

/** The seed corpus as nlp.js's training items, with its none feature last. */
function seedItems(): NeuralTrainingItem[] {
  const items = SEED_CORPUS.map(({ text, intent }) => ({
    input: featuresOf(text, { bigrams: 0, question: true, trigrams: 0.4 }),
    output: { [intent]: 1 },
  }));
  return [...items, { input: { nonefeature: 1 }, output: { unknown: 1 } }];
}

function nlpjs(settings: { iterations?: number } = {}) {
  const network = new NeuralNetwork({ log: false, ...settings });
  network.train(seedItems());
  return network.toJSON();
}

describe('the network trainer', () => {
  it('trains the very model nlp.js trains, weight for weight', () => {
    expect(trainNetwork(seedItems())).toEqual(nlpjs());
  });

  it('stops after the passes it is given, as nlp.js does with the same setting', () => {
    const short = trainNetwork(seedItems(), { iterations: 10 });
    expect(short).toEqual(nlpjs({ iterations: 10 }));
    expect(short.settings).toEqual({ iterations: 10 });
    expect(short.perceptrons).not.toEqual(trainNetwork(seedItems()).perceptrons);
  });

  it('leaves the items it is given as they were', () => {
    const items = seedItems();
    const copy = structuredClone(items);
    trainNetwork(items);
    expect(items).toEqual(copy);
  });
});
