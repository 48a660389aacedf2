/**
 * Fault harness (`npm run fault -- [--cases a,b] [--root DIR] [--out FILE]`): starts its
 * own redis-servers (ports 6460-6479) and gateway processes (`node main.ts` of `--root`, default this
 * checkout), all on loopback, injects one fault per case and counts lost, duplicated and hung
 * messages. Prints a table and writes a JSON summary (default artifacts/fault.json).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { caseKillInFlight } from './case-kill.ts';
import { caseRedisRestart, caseRedisStall } from './case-redis.ts';
import { caseSigterm } from './case-sigterm.ts';
import { caseStartup } from './case-startup.ts';
import { caseWorkflowOwnerKilled } from './case-workflow.ts';
import type { CaseContext, CaseResult } from './common.ts';
import { killAll } from './procs.ts';
import { printTable } from './report.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CASES: Record<string, (ctx: CaseContext) => Promise<CaseResult>> = {
  a: caseKillInFlight,
  b: caseRedisRestart,
  c: caseRedisStall,
  d: caseStartup,
  e: caseSigterm,
  f: caseWorkflowOwnerKilled,
};
/** No case may run longer than this: the harness stops by itself. */
const CASE_LIMIT_MS = 150_000;

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: Object.keys(CASES).join(',') },
    root: { type: 'string', default: REPO },
    out: { type: 'string', default: resolve(REPO, 'artifacts/fault.json') },
  },
});
const root = resolve(values.root);
const selected = values.cases.split(',').map((c) => c.trim().toLowerCase());
const unknown = selected.filter((c) => !CASES[c]);
if (unknown.length) {
  console.error(`unknown case(s): ${unknown.join(', ')}; known: ${Object.keys(CASES).join(', ')}`);
  process.exit(2);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}
process.on('exit', () => killAll());

// Generous rate limits: this is one client on loopback sending a lot on purpose.
const extraEnv: Record<string, string> = {};
for (const [name, value] of Object.entries(process.env)) {
  if (name.startsWith('FAULT_ENV_') && value !== undefined) extraEnv[name.slice('FAULT_ENV_'.length)] = value;
}

const runId = Date.now().toString(36);
const results: CaseResult[] = [];
const startedAt = Date.now();
for (const id of selected) {
  const ctx: CaseContext = { root, runId, extraEnv };
  const caseStart = Date.now();
  process.stdout.write(`case ${id}… `);
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      CASES[id]!(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`case ${id} ran over ${CASE_LIMIT_MS} ms`)), CASE_LIMIT_MS);
      }),
    ]);
    result.figures.case_seconds = Number(((Date.now() - caseStart) / 1000).toFixed(1));
    results.push(result);
    process.stdout.write(`done in ${result.figures.case_seconds} s\n`);
  } catch (error) {
    killAll();
    const message = error instanceof Error ? error.message : String(error);
    process.stdout.write(`failed: ${message.split('\n')[0]}\n`);
    results.push({
      id,
      title: 'case failed to run',
      headline: message.split('\n')[0]!.slice(0, 100),
      lost: Number.NaN,
      duplicated: Number.NaN,
      hung: Number.NaN,
      figures: { error: message.slice(0, 2000) },
      notes: [],
    });
  } finally {
    clearTimeout(timer);
  }
}

printTable(results);
const summary = {
  root,
  commit: gitHead(root),
  startedAt: new Date(startedAt).toISOString(),
  seconds: Number(((Date.now() - startedAt) / 1000).toFixed(1)),
  extraEnv: Object.keys(extraEnv),
  cases: results,
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, JSON.stringify(summary, null, 2) + '\n');
console.log(
  JSON.stringify({ root, cases: results.map(({ id, lost, duplicated, hung }) => ({ id, lost, duplicated, hung })) }),
);
console.log(`summary written to ${values.out}`);
killAll();
process.exit(0);

function gitHead(dir: string): string | null {
  try {
    const head = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', dir, 'status', '--porcelain'], { encoding: 'utf8' }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return null;
  }
}
