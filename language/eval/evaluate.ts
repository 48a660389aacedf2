import type { CorpusExample, GoldSlots } from '../classifier-corpus.ts';
import type { Slots } from '../types.ts';
import { type IntentPair, intentAccuracy } from './intent-metrics.ts';
import { goldForm, type SlotName, type SlotScore, scoreSlots, slotDifferences } from './slot-metrics.ts';

/** A reader of messages (a combination of rules, classifier and slot extractors) scored on a labelled corpus. */

export interface Reading {
  intent: string;
  slots: Slots;
}

export interface ExampleResult extends IntentPair {
  text: string;
  predictedSlots: GoldSlots;
  goldSlots: GoldSlots;
  /** The slots that differ from the gold ones (empty: an exact match). */
  slotErrors: SlotName[];
}

export interface Evaluation {
  results: ExampleResult[];
  intentAccuracy: number;
  slots: SlotScore;
}

/** Scores readings (one per example, in order) against the examples' labels. */
export function scoreReadings(examples: readonly CorpusExample[], readings: readonly Reading[]): Evaluation {
  const results = examples.map((example, i): ExampleResult => {
    const reading = readings[i]!;
    const predictedSlots = goldForm(reading.slots);
    const goldSlots = example.slots ?? {};
    return {
      text: example.text,
      gold: example.intent,
      predicted: reading.intent,
      predictedSlots,
      goldSlots,
      slotErrors: slotDifferences(predictedSlots, goldSlots),
    };
  });
  return {
    results,
    intentAccuracy: intentAccuracy(results),
    slots: scoreSlots(results.map((r) => ({ predicted: r.predictedSlots, gold: r.goldSlots }))),
  };
}

/** Reads every example with `read` and scores the readings. */
export function evaluate(examples: readonly CorpusExample[], read: (text: string) => Reading): Evaluation {
  return scoreReadings(
    examples,
    examples.map((example) => read(example.text)),
  );
}
