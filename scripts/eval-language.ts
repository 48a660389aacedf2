/**
 * `npm run eval:language`: how well omnibot understands technicians' messages. Cross-validates the
 * candidate combinations (keyword rules, classifier, hybrid; thresholds) on language/corpus/train.json,
 * then trains on all of train.json and scores the candidates on language/corpus/heldout.json (never used
 * to choose anything): intent accuracy, slot exact-match, each slot's precision/recall, the confusion
 * between intents, the utterances read wrong, and the classifier's training time and per-message cost.
 * Exits 1 when the chosen combination is under 95 % intent accuracy or 90 % slot exact-match.
 * `--totals`: only the held-out totals (no details); `--cv-errors`: the cross-validated errors on train.json;
 * `--features`: the classifier's feature options compared by cross-validation. With `--cv`, `--cv-errors` or
 * `--features` the held-out corpus is not even read (those modes are for tuning).
 */
import { demoEquipment } from '../core/cmms/demo-equipment.ts';
import {
  CLASSIFIER_OPTIONS,
  type ClassifierOptions,
  classifierTraining,
  classifyIntent,
  IntentClassifier,
  type IntentScore,
} from '../language/classifier.ts';
import {
  type CorpusExample,
  corpusText,
  HELDOUT_CORPUS,
  parseCorpus,
  TRAIN_CORPUS,
} from '../language/classifier-corpus.ts';
import { crossValidateReaders } from '../language/eval/cross-validation.ts';
import { type Evaluation, evaluate, type Reading } from '../language/eval/evaluate.ts';
import { confusionReport, errorsReport, percent, slotTable, summaryLine } from '../language/eval/report.ts';
import { timeClassification } from '../language/eval/timing.ts';
import { withTypo } from '../language/eval/typos.ts';
import { extractSlots } from '../language/slots/index.ts';
import type { CatalogEquipment } from '../language/types.ts';
import { CHOSEN, type UnderstandingOptions, understandWith } from '../machines/understanding.ts';

const INTENT_TARGET = 0.95;
const SLOT_TARGET = 0.9;
const FOLDS = 5;
/** Each example predicted this many times, by folds dealt differently (less noise between candidates). */
const REPETITIONS = 3;
const totalsOnly = process.argv.includes('--totals');
/** Tuning modes: cross-validation on train.json only, heldout.json left unread. */
const tuning = ['--cv', '--cv-errors', '--features'].some((flag) => process.argv.includes(flag));

const catalog: CatalogEquipment[] = demoEquipment().map(({ codigointerno, nombreequipo, marca, modelo }) => ({
  codigointerno,
  nombreequipo,
  marca,
  modelo,
}));

/** The candidates compared: name → options. */
function candidates(): Map<string, UnderstandingOptions> {
  const list = new Map<string, UnderstandingOptions>([
    ['rules', { combination: 'rules', threshold: 0, fallback: false, equipmentReports: false }],
  ]);
  for (const threshold of [0, 0.3, 0.4, 0.5, 0.6, 0.7]) {
    list.set(`classifier t=${threshold}`, {
      combination: 'classifier',
      threshold,
      fallback: false,
      equipmentReports: false,
    });
    for (const combination of ['hybrid', 'rules-first'] as const) {
      for (const fallback of [false, true]) {
        for (const equipmentReports of [false, true]) {
          const name = `${combination} t=${threshold}${fallback ? ' +rules below' : ''}${equipmentReports ? ' +equipment' : ''}`;
          list.set(name, { combination, threshold, fallback, equipmentReports });
        }
      }
    }
  }
  return list;
}

/** Texts compared as the same utterance: case and spacing aside. */
const sameText = (text: string) => text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();

const sameOptions = (a: UnderstandingOptions, b: UnderstandingOptions) => JSON.stringify(a) === JSON.stringify(b);

/** A classifier's answers remembered per text (the candidates read the same texts). */
function remembered(classify: (text: string) => IntentScore[]): (text: string) => IntentScore[] {
  const seen = new Map<string, IntentScore[]>();
  return (text) => {
    let scores = seen.get(text);
    if (!scores) {
      scores = classify(text);
      seen.set(text, scores);
    }
    return scores;
  };
}

/** The slot extractors' answers remembered per text (pure; every candidate reads the same texts). */
const extract = (() => {
  const seen = new Map<string, ReturnType<typeof extractSlots>>();
  return (text: string, list: readonly CatalogEquipment[] | null) => {
    let slots = seen.get(text);
    if (!slots) {
      slots = extractSlots(text, list);
      seen.set(text, slots);
    }
    return slots;
  };
})();

function readWith(options: UnderstandingOptions, classify: (text: string) => IntentScore[]) {
  return (text: string): Reading => understandWith(text, catalog, options, { classify, extract });
}

/**
 * Every candidate cross-validated on the training corpus (stratified folds). `typos`: each held-out
 * utterance read with one typo in it (language/eval/typos.ts); only its intent is comparable then.
 */
function crossValidation(
  train: CorpusExample[],
  options: ClassifierOptions,
  all: ReadonlyMap<string, UnderstandingOptions> = candidates(),
  typos = false,
): Map<string, Evaluation> {
  const readers = (training: CorpusExample[]) => {
    const classifier = IntentClassifier.train(training, options);
    const classify = remembered((text) => classifier.classify(text));
    return new Map([...all].map(([name, candidate]) => [name, readWith(candidate, classify)]));
  };
  return crossValidateReaders(train, FOLDS, REPETITIONS, readers, typos ? withTypo : undefined);
}

/**
 * The classifier's feature and training options compared (`--features`), each cross-validated alone and in
 * the chosen combination, on the utterances as written and with one typo each.
 */
function compareFeatures(train: CorpusExample[]): void {
  const chosen = CLASSIFIER_OPTIONS;
  const { features } = chosen;
  const variants: [string, ClassifierOptions][] = [
    ['nlp.js as it was (to convergence)', { features, none: true, activation: false }],
    ['chosen', chosen],
    ['chosen, unseen words left unread', { ...chosen, resolveUnknown: false }],
    ['chosen, 20 passes', { ...chosen, network: { iterations: 20 } }],
    ['chosen, 6 passes', { ...chosen, network: { iterations: 6 } }],
    ['chosen, no question mark', { ...chosen, features: { ...features, question: false } }],
    ['chosen, stem pairs 0.5', { ...chosen, features: { ...features, bigrams: 0.5 } }],
    ['chosen, no trigrams', { ...chosen, features: { ...features, trigrams: 0 } }],
    ['chosen, trigrams 0.25', { ...chosen, features: { ...features, trigrams: 0.25 } }],
    ['chosen, + 4-grams 0.3', { ...chosen, features: { ...features, fourgrams: 0.3 } }],
    ['chosen, + words as written 0.5', { ...chosen, features: { ...features, surface: 0.5 } }],
    ['chosen, articles/prepositions out', { ...chosen, features: { ...features, skipFunctionWords: true } }],
    ['chosen, with activation filter', { ...chosen, activation: true }],
  ];
  const combinations = new Map<string, UnderstandingOptions>([
    ['classifier', { ...CHOSEN, combination: 'classifier', threshold: 0, fallback: false }],
    ['chosen', CHOSEN],
  ]);
  console.log('\n== Classifier options, cross-validated: intent accuracy (classifier alone / chosen combination)');
  console.log(`  ${''.padEnd(36)} ${'as written'.padStart(15)}   ${'one typo each'.padStart(15)}`);
  for (const [name, options] of variants) {
    const [clean, typo] = [false, true].map((typos) => {
      const cv = crossValidation(train, options, combinations, typos);
      return [cv.get('classifier')!, cv.get('chosen')!].map((e) => percent(e.intentAccuracy).padStart(6)).join(' / ');
    });
    console.log(`  ${name.padEnd(36)} ${clean!.padStart(15)}   ${typo!.padStart(15)}`);
  }
}

function main(): number {
  const train = parseCorpus(corpusText(TRAIN_CORPUS));
  const heldout = tuning ? [] : parseCorpus(corpusText(HELDOUT_CORPUS));
  console.log(
    `train.json ${train.length} examples${tuning ? '' : `, heldout.json ${heldout.length} examples`}, demo catalog\n`,
  );

  console.log(`== Cross-validation on train.json (${FOLDS} folds × ${REPETITIONS}): how the combination was chosen`);
  const cv = crossValidation(train, CLASSIFIER_OPTIONS);
  // Best first: intent accuracy, then slot exact-match (a stable sort keeps the listing order on ties).
  const ranked = [...cv].sort(
    ([, a], [, b]) => b.intentAccuracy - a.intentAccuracy || b.slots.exactMatch - a.slots.exactMatch,
  );
  for (const [name, evaluation] of ranked) {
    const mark = sameOptions(candidates().get(name)!, CHOSEN) ? '  ← chosen' : '';
    console.log(summaryLine(name, evaluation) + mark);
  }
  const [bestName, best] = ranked[0]!;
  const chosenCv = [...cv].find(([name]) => sameOptions(candidates().get(name)!, CHOSEN))?.[1];
  if (chosenCv && best.intentAccuracy > chosenCv.intentAccuracy) {
    console.log(
      `NOTE: "${bestName}" cross-validates better than the chosen combination (machines/understanding.ts CHOSEN)`,
    );
  }
  const typed = crossValidation(train, CLASSIFIER_OPTIONS, new Map([['chosen', CHOSEN]]), true).get('chosen')!;
  console.log(`chosen, one typo in each utterance: intent ${percent(typed.intentAccuracy)}`);
  if (chosenCv && process.argv.includes('--cv-errors')) {
    console.log(`-- chosen, cross-validated: slots\n${slotTable(chosenCv)}`);
    console.log(`-- chosen, cross-validated: confusion\n${confusionReport(chosenCv)}`);
    console.log(`-- chosen, cross-validated: train.json utterances read wrong\n${errorsReport(chosenCv)}`);
  }

  if (process.argv.includes('--features')) compareFeatures(train);

  console.log('\n== Training on all of train.json');
  const start = performance.now();
  const classifier = IntentClassifier.train(train, CLASSIFIER_OPTIONS);
  const trainingMs = performance.now() - start;
  const app = classifierTraining();
  classifyIntent('hola');
  // Timed on the training texts as written and with a typo (unseen words): heldout.json stays unread while tuning.
  const texts = train.flatMap((e) => [e.text, withTypo(e.text)]);
  const { p50, p99 } = timeClassification((text) => classifier.classify(text), texts);
  console.log(
    `  training ${trainingMs.toFixed(0)} ms (${train.length} examples, options ${JSON.stringify(CLASSIFIER_OPTIONS)})`,
  );
  console.log(
    `  this process's classifier: ${app.fromCache ? `read from the model file in ${app.loadMs?.toFixed(1)} ms` : `trained in ${app.trainingMs.toFixed(0)} ms`}`,
  );
  console.log(`  classification per message: p50 ${(p50 * 1000).toFixed(1)} µs, p99 ${(p99 * 1000).toFixed(1)} µs`);

  if (tuning) return 0;
  console.log('\n== Held-out (heldout.json)');
  const classify = remembered((text) => classifier.classify(text));
  const named: [string, UnderstandingOptions][] = [
    ['rules', candidates().get('rules')!],
    [`classifier t=${CHOSEN.threshold}`, { ...CHOSEN, combination: 'classifier', fallback: false }],
    ['chosen', CHOSEN],
  ];
  let chosen: Evaluation | undefined;
  for (const [name, options] of named) {
    const evaluation = evaluate(heldout, readWith(options, classify));
    console.log(summaryLine(name, evaluation));
    if (name === 'chosen') chosen = evaluation;
  }
  if (!chosen) return 1;
  const trained = new Set(train.map((e) => sameText(e.text)));
  const unseen = heldout.filter((e) => !trained.has(sameText(e.text)));
  if (unseen.length < heldout.length) {
    console.log(
      `WARNING: ${heldout.length - unseen.length} held-out utterances are in train.json too (the corpus must not share them)`,
    );
    console.log(
      summaryLine(`chosen, on the ${unseen.length} not in train.json`, evaluate(unseen, readWith(CHOSEN, classify))),
    );
  }
  console.log(`\n-- chosen: ${JSON.stringify(CHOSEN)}`);
  if (!totalsOnly) {
    console.log(`-- slots (precision / recall)\n${slotTable(chosen)}`);
    console.log(`-- intent confusion (gold → predicted)\n${confusionReport(chosen)}`);
    console.log(`-- held-out utterances read wrong\n${errorsReport(chosen)}`);
  }
  const pass = chosen.intentAccuracy >= INTENT_TARGET && chosen.slots.exactMatch >= SLOT_TARGET;
  console.log(
    `\n${pass ? 'PASS' : 'FAIL'}: intent ${percent(chosen.intentAccuracy)} (target ${percent(INTENT_TARGET)}), slots ${percent(chosen.slots.exactMatch)} (target ${percent(SLOT_TARGET)})`,
  );
  return pass ? 0 : 1;
}

process.exitCode = main();
