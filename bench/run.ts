import { benchInspection, printInspectionResult } from './inspection.ts';
import { benchLanguage, printLanguageResult } from './language.ts';
import { benchSubscribers, printSubscribersResult } from './subscribers.ts';
import { benchWebPath } from './web-path.ts';

/**
 * `npm run bench`: every figure is printed next to a baseline measured in the same run.
 * BENCH_ONLY (web, subscribers, inspection, language; default all), BENCH_SUBSCRIBERS (default 2000),
 * BENCH_ROUNDS (default 20), BENCH_SUBSCRIBERS_REDIS_URL (the Redis bus), REDIS_URL (default local).
 * The web part (bench/web-path.ts) needs wrk (skipped with a message without it; BENCH_WRK names the
 * binary, else PATH's): BENCH_DURATION (s per run, default 10), BENCH_CONNECTIONS (default 32),
 * BENCH_LONG=1 (the 200,000-message memory run too).
 * Missed targets are printed, never an exit code; an error in the web part is printed, the other parts
 * still run, and the exit code is 1.
 */
const only = process.env.BENCH_ONLY;
const runs = (name: string) => !only || only.split(',').includes(name);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

if (runs('web')) {
  try {
    await benchWebPath({
      durationSec: Number(process.env.BENCH_DURATION ?? 10),
      connections: Number(process.env.BENCH_CONNECTIONS ?? 32),
      redisUrl,
      long: process.env.BENCH_LONG === '1',
    });
  } catch (error) {
    console.error('web path benchmark failed:', error);
    process.exitCode = 1;
  }
}
if (runs('subscribers')) {
  printSubscribersResult(
    await benchSubscribers({
      subscribers: Number(process.env.BENCH_SUBSCRIBERS ?? 2000),
      rounds: Number(process.env.BENCH_ROUNDS ?? 20),
      ...(process.env.BENCH_SUBSCRIBERS_REDIS_URL ? { redisUrl: process.env.BENCH_SUBSCRIBERS_REDIS_URL } : {}),
    }),
  );
}
if (runs('inspection')) printInspectionResult(await benchInspection());
if (runs('language')) printLanguageResult(await benchLanguage());
