import { describe, expect, it } from 'vitest';
import { demoEquipment } from '../core/cmms/demo-equipment.ts';
import { CHOSEN, understandWith } from '../machines/understanding.ts';
import { classifierTraining } from './classifier.ts';
import { corpusText, HELDOUT_CORPUS, parseCorpus, TRAIN_CORPUS } from './classifier-corpus.ts';
import { evaluate } from './eval/evaluate.ts';
import type { CatalogEquipment } from './types.ts';

/**
 * The held-out corpus, read by the chosen combination with the classifier trained on train.json (never on
 * heldout.json): the targets of issue 13. `npm run eval:language` prints the details.
 */

const catalog: CatalogEquipment[] = demoEquipment().map(({ codigointerno, nombreequipo, marca, modelo }) => ({
  codigointerno,
  nombreequipo,
  marca,
  modelo,
}));
const train = parseCorpus(corpusText(TRAIN_CORPUS));
const heldout = parseCorpus(corpusText(HELDOUT_CORPUS));
const same = (text: string) => text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();

describe('the held-out corpus', () => {
  it('shares no utterance with the training corpus', () => {
    const trained = new Set(train.map((e) => same(e.text)));
    expect(heldout.filter((e) => trained.has(same(e.text))).map((e) => e.text)).toEqual([]);
  });

  it('is understood at the targets: intent ≥ 95 %, slots exactly right ≥ 90 %', () => {
    expect(classifierTraining().examples).toBe(train.length);
    const evaluation = evaluate(heldout, (text) => understandWith(text, catalog, CHOSEN));
    const wrong = evaluation.results.filter((r) => r.gold !== r.predicted).length;
    expect(evaluation.intentAccuracy, `${wrong} of ${heldout.length} intents wrong`).toBeGreaterThanOrEqual(0.95);
    expect(evaluation.slots.exactMatch).toBeGreaterThanOrEqual(0.9);
  });
});
