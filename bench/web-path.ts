import autocannon from 'autocannon';
import { clearPrefix } from '../test/support/redis.ts';
import { rssMiB, type Server, startServer } from './servers.ts';

export interface LoadResult {
  name: string;
  requestsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** The gateway's WEB_API_KEY in the benchmark (the bare echo ignores it). */
export const BENCH_WEB_API_KEY = 'bench-web-api-key';

/** Drives POST /api/bot/message with "hola" from `users` distinct users (each request a new message id). */
export async function load(
  name: string,
  url: string,
  opts: { connections: number; durationSec: number; rate?: number; users: number },
): Promise<LoadResult> {
  let n = 0;
  const result = await autocannon({
    url: `${url}/api/bot/message`,
    connections: opts.connections,
    duration: opts.durationSec,
    ...(opts.rate ? { overallRate: opts.rate } : {}),
    requests: [
      {
        method: 'POST',
        // A backend with WEB_API_KEY (as production must run): its users' chats are trusted, so each
        // turn also reads the conversation's CMMS link (none here).
        headers: { 'content-type': 'application/json', 'x-api-key': BENCH_WEB_API_KEY },
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ user_id: `bench-${n++ % opts.users}`, message: 'hola' }),
        }),
      },
    ],
  });
  return {
    name,
    requestsPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export async function benchWebPath(opts: { durationSec: number; connections: number; redisUrl: string }) {
  const line = (r: LoadResult) =>
    `${r.name.padEnd(34)} ${r.requestsPerSec.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   errors ${r.errors}   non-2xx ${r.non2xx}`;
  const servers: Server[] = [];
  const prefix = `omnibot-bench:${Date.now()}:`;
  const gatewayEnv = {
    REDIS_URL: opts.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    LOG_LEVEL: 'info',
    WEB_API_KEY: BENCH_WEB_API_KEY,
    CONVERSATION_TTL_SECONDS: '600',
    DEDUP_TTL_SECONDS: '600',
    // Thousands of requests per second from one address into a few conversations: no rate limits.
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    RATE_LIMIT_PER_CONVERSATION_PER_MINUTE: '0',
    RATE_LIMIT_PER_CONVERSATION_PER_DAY: '0',
  };
  const start = async (core: number | null) => {
    const bare = await startServer('bench/bare-echo.ts', {}, core);
    const gateway = await startServer('main.ts', gatewayEnv, core);
    servers.push(bare, gateway);
    const warm = { connections: opts.connections, durationSec: 2, users: 1000 };
    await load('warm-up', bare.url, warm);
    await load('warm-up', gateway.url, warm);
    return { bare, gateway };
  };
  const stopAll = async () => {
    for (const server of servers.splice(0)) await server.stop();
  };
  try {
    // Throughput: each server pinned to one core, the load generator on the other.
    const pinned = await start(1);
    const full = { connections: opts.connections, durationSec: opts.durationSec, users: 1000 };
    const baseline = await load('bare Hono echo', pinned.bare.url, full);
    const gw = await load('gateway (web path, Redis)', pinned.gateway.url, full);
    const memory = await rssMiB(pinned.gateway.pid);
    await stopAll();

    // Latency at 1,000 msg/s, not pinned: pinned, V8's parallel scavenges share the one core with the
    // main thread and each pause doubles. 10 connections: autocannon's rate limiter sends in bursts per
    // connection, and with 50 the bursts alone put the bare echo's p99 over 300 ms.
    const free = await start(null);
    const pacedOptions = { ...full, connections: 10, rate: 1000 };
    const pacedBare = await load('bare Hono echo at 1,000 msg/s', free.bare.url, pacedOptions);
    const paced = await load('gateway at 1,000 msg/s', free.gateway.url, pacedOptions);

    console.log('\n== web path: POST /api/bot/message "hola" (parse, dedup, load, transition, CAS save, log, reply)');
    console.log(`${opts.durationSec} s each; throughput: ${opts.connections} connections, servers pinned to one core`);
    for (const r of [baseline, gw, pacedBare, paced]) console.log(line(r));
    console.log(`ratio gateway/bare throughput: ${(gw.requestsPerSec / baseline.requestsPerSec).toFixed(3)}`);
    console.log(`gateway RSS after the throughput run: ${memory.toFixed(0)} MiB`);
    return { baseline, gateway: gw, pacedBare, paced, ratio: gw.requestsPerSec / baseline.requestsPerSec };
  } finally {
    await stopAll();
    await clearPrefix(prefix, opts.redisUrl); // leaves the Redis it used as it found it
  }
}
