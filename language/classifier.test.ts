import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyIntent, IntentClassifier } from './classifier.ts';
import { loadOrTrain } from './classifier-cache.ts';
import { SEED_CORPUS } from './classifier-seed.ts';
import { classifierText } from './classifier-text.ts';

const seedModel = () => IntentClassifier.train(SEED_CORPUS);
const hashOf = (classifier: IntentClassifier) =>
  createHash('sha256').update(JSON.stringify(classifier.toJSON())).digest('hex');
const top = (classifier: IntentClassifier, text: string) => classifier.classify(text)[0]!.intent;

describe('the classifier is deterministic', () => {
  it('trains the same model from the same corpus, in this process and in another one', () => {
    const model = seedModel();
    expect(hashOf(seedModel())).toBe(hashOf(model));
    const script = [
      "import { IntentClassifier } from './language/classifier-model.ts';",
      "import { SEED_CORPUS } from './language/classifier-seed.ts';",
      "import { createHash } from 'node:crypto';",
      'const json = JSON.stringify(IntentClassifier.train(SEED_CORPUS).toJSON());',
      "process.stdout.write(createHash('sha256').update(json).digest('hex'));",
    ].join('\n');
    const other = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    expect(other).toBe(hashOf(model));
  });

  it('reads a saved model back with the same answers', () => {
    const model = seedModel();
    const saved = IntentClassifier.fromJSON(JSON.parse(JSON.stringify(model.toJSON())));
    for (const { text } of SEED_CORPUS) expect(saved.classify(text)).toEqual(model.classify(text));
    expect(saved.classify('el cargador bota aceite')).toEqual(model.classify('el cargador bota aceite'));
  });

  it('refuses a malformed model', () => {
    expect(() => IntentClassifier.fromJSON(JSON.parse('{"network":{}}'))).toThrow(/not an intent classifier/);
  });
});

describe('the model file (the fast path of a new process)', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the saved model instead of training again, and trains again over a corrupt file', () => {
    dir = mkdtempSync(join(tmpdir(), 'omnibot-classifier-test-'));
    let trainings = 0;
    const train = () => {
      trainings += 1;
      return seedModel();
    };
    const first = loadOrTrain(dir, 'key1', train, 0);
    expect(first.fromCache).toBe(false);
    const second = loadOrTrain(dir, 'key1', train, 0);
    expect(second.fromCache).toBe(true);
    expect(trainings).toBe(1);
    expect(second.classifier.classify('chao')).toEqual(first.classifier.classify('chao'));
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    const [file] = readdirSync(dir);
    writeFileSync(join(dir, file!), '{"broken":');
    const third = loadOrTrain(dir, 'key1', train, 0);
    expect(third.fromCache).toBe(false);
    expect(trainings).toBe(2);
    expect(third.classifier.classify('chao')).toEqual(first.classifier.classify('chao'));
  });

  it('keeps a training quicker than the threshold in memory only', () => {
    dir = mkdtempSync(join(tmpdir(), 'omnibot-classifier-test-'));
    expect(loadOrTrain(dir, 'quick', seedModel, Number.POSITIVE_INFINITY).fromCache).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('what the classifier reads', () => {
  it('learns the shape of codes and order numbers, not the codes', () => {
    expect(classifierText('la excavadora CAT-002 tiene una fuga')).toBe('la excavadora equipcode tiene una fuga');
    expect(classifierText('cat cero cero uno no parte')).toBe('equipcode no parte');
    expect(classifierText('estado de la OT-CORR-1')).toBe('estado de la ordernum');
    expect(classifierText('la ot dieciocho')).toBe('la ordernum');
    expect(classifierText('kiero reportar q la L350 no parte porfa')).toBe('quiero reportar que la equipcode no parte');
  });

  it('reads unseen codes like the ones it was trained on', () => {
    const model = seedModel();
    expect(top(model, 'la excavadora ZX-981 tiene una fuga de aceite')).toBe('report_failure');
    expect(top(model, 'iniciar OT-PREV-77')).toBe('start_order');
  });
});

describe('the trained classifier (language/corpus/train.json)', () => {
  it('answers unknown to gibberish and to stop words alone', () => {
    for (const text of ['asdf qwerty', 'xkcd blorp zzz', 'qwertyuiop']) {
      expect(classifyIntent(text)[0]?.intent, text).toBe('unknown');
    }
    for (const text of ['no', 'sí', '¿y?', ''])
      expect(classifyIntent(text), text).toEqual([{ intent: 'unknown', score: 1 }]);
  });

  it('ranks the intents best first, with scores that sum to 1', () => {
    const scores = classifyIntent('el camión no arranca');
    expect(scores[0]!.intent).toBe('report_failure');
    expect(scores.map((s) => s.score)).toEqual([...scores.map((s) => s.score)].sort((a, b) => b - a));
    expect(scores.reduce((sum, s) => sum + s.score, 0)).toBeCloseTo(1, 6);
  });

  it('reads small talk and requests it was taught', () => {
    expect(classifyIntent('chao')[0]!.intent).toBe('farewell');
    expect(classifyIntent('ok')[0]!.intent).toBe('acknowledge');
    expect(classifyIntent('necesito un supervisor')[0]!.intent).toBe('handoff');
  });
});
