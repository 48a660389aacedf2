import { readFileSync } from 'node:fs';
import { demoEquipment } from '../core/cmms/demo-equipment.ts';
import { silentLogger } from '../core/log.ts';
import { createEquipmentCatalog } from '../core/runtime/equipment-catalog.ts';
import { type EquipmentSummary, summarizeEquipment } from '../core/workflows/results.ts';
import { CLASSIFIER_OPTIONS, classifierTraining, IntentClassifier } from '../language/classifier.ts';
import { corpusText, parseCorpus, TRAIN_CORPUS } from '../language/classifier-corpus.ts';
import { conversationModel } from '../machines/model.ts';

/**
 * What understanding a typed message adds to its turn, in-process on one core: the conversation
 * model's `understand` (rules, classifier, slots, with the CMMS catalog kept warm) over every
 * utterance of language/corpus/heldout.json (its texts only: nothing is scored here), `rounds` times,
 * next to the menu's fast path (exact commands: a Map lookup); and what the classifier costs a
 * process at start-up (trained, or read from the model file a previous process saved) and to train.
 *
 *   node bench/language.ts [--rounds 40]      (or BENCH_ONLY=language npm run bench)
 */

export interface LatencyFigures {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LanguageBenchResult {
  freeText: LatencyFigures;
  menu: LatencyFigures;
  /** This process's classifier: trained now, or read from the saved model. */
  startUp: { fromCache: boolean; ms: number; examples: number };
  /** One training from train.json, timed here (what a process without the saved model pays). */
  trainingMs: number;
  utterances: number;
  rounds: number;
}

const HELDOUT = new URL('../language/corpus/heldout.json', import.meta.url);
/** What a user types or taps from the menu (machines/menu.ts), as they arrive. */
const MENU_COMMANDS = ['reportar falla', 'Menú', 'ayuda', 'cancelar', 'Mis OT', 'Listar equipos', 'OT pendientes'];
const MAX_ROUNDS = 200;

function figures(samples: number[]): LatencyFigures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { samples: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** Each text understood `rounds` times (round-robin), each call timed on its own. */
async function timeUnderstanding(
  texts: readonly string[],
  rounds: number,
  catalog: () => Promise<readonly EquipmentSummary[] | null>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const text of texts) {
      const start = performance.now();
      await conversationModel.understand!(text, catalog);
      samples.push(performance.now() - start);
    }
  }
  return samples;
}

export async function benchLanguage(options: { rounds?: number } = {}): Promise<LanguageBenchResult> {
  const rounds = Math.min(MAX_ROUNDS, Math.max(1, Math.trunc(options.rounds ?? 40)));
  const startUpStart = performance.now();
  const training = classifierTraining(); // first use: trains, or reads the saved model
  const startUpMs = performance.now() - startUpStart;

  const examples = parseCorpus(corpusText(TRAIN_CORPUS)).map(({ text, intent }) => ({ text, intent }));
  const trainStart = performance.now();
  IntentClassifier.train(examples, CLASSIFIER_OPTIONS);
  const trainingMs = performance.now() - trainStart;

  const texts = (JSON.parse(readFileSync(HELDOUT, 'utf8')) as { text: string }[]).map((example) => example.text);
  const equipment = demoEquipment().map((e) => summarizeEquipment({ ...e }));
  const catalog = createEquipmentCatalog({ list: async () => equipment, logger: silentLogger });
  catalog.warm();
  await catalog.read();
  const read = () => catalog.read();

  // A discarded round first (JIT), then the measured ones.
  await timeUnderstanding(texts, 2, read);
  await timeUnderstanding(MENU_COMMANDS, 2, read);
  const freeText = figures(await timeUnderstanding(texts, rounds, read));
  const menu = figures(await timeUnderstanding(MENU_COMMANDS, Math.ceil((rounds * texts.length) / 7), read));
  return {
    freeText,
    menu,
    startUp: { fromCache: training.fromCache, ms: startUpMs, examples: training.examples },
    trainingMs,
    utterances: texts.length,
    rounds,
  };
}

const ms = (value: number) => (value < 0.01 ? value.toFixed(4) : value < 1 ? value.toFixed(3) : value.toFixed(1));

export function printLanguageResult(result: LanguageBenchResult): void {
  const { freeText, menu, startUp } = result;
  const start = startUp.fromCache ? `read from the saved model in ${ms(startUp.ms)} ms` : `${ms(startUp.ms)} ms`;
  console.log(
    [
      `language: free text p50 ${ms(freeText.p50)} ms p99 ${ms(freeText.p99)} ms max ${ms(freeText.max)} ms · menu fast path p99 ${ms(menu.p99)} ms · classifier training ${ms(result.trainingMs)} ms (${startUp.examples} examples; this process: ${start})`,
      `  ${result.utterances} held-out utterances × ${result.rounds} rounds (${freeText.samples} calls), one core, catalog warm; target p99 < 0.5 ms`,
    ].join('\n'),
  );
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (import.meta.main) {
  const result = await benchLanguage({ rounds: Number(argument('rounds') ?? process.env.BENCH_LANGUAGE_ROUNDS ?? 40) });
  printLanguageResult(result);
  console.log(JSON.stringify({ bench: 'language', ...result }));
}
