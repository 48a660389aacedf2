import { benchInspection, printInspectionResult } from './inspection.ts';
import { benchLanguage, printLanguageResult } from './language.ts';
import { benchSubscribers, printSubscribersResult } from './subscribers.ts';
import { benchWebPath } from './web-path.ts';

/**
 * `npm run bench`: every figure is printed next to a baseline measured in the same run.
 * BENCH_ONLY (web, subscribers, inspection, language; default all), BENCH_DURATION (s, default 10),
 * BENCH_CONNECTIONS (default 50), BENCH_SUBSCRIBERS (default 2000), REDIS_URL (default local).
 */
const only = process.env.BENCH_ONLY;
const runs = (name: string) => !only || only.split(',').includes(name);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

if (runs('web')) {
  await benchWebPath({
    durationSec: Number(process.env.BENCH_DURATION ?? 10),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
    redisUrl,
  });
}
if (runs('subscribers')) {
  printSubscribersResult(
    await benchSubscribers({ subscribers: Number(process.env.BENCH_SUBSCRIBERS ?? 2000), rounds: 20 }),
  );
}
if (runs('inspection')) printInspectionResult(await benchInspection());
if (runs('language')) printLanguageResult(await benchLanguage());
