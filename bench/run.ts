import { benchWebPath } from './web-path.ts';

/**
 * `npm run bench`: every figure is printed next to a baseline measured in the same run.
 * BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (default 50), REDIS_URL (default local).
 */
const durationSec = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

await benchWebPath({ durationSec, connections, redisUrl });
