import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearPrefix, describeKinds, formatBytes, prefixUsage } from './redis-footprint.ts';
import { rssMiB, type Server, startServer } from './servers.ts';
import { BENCH_WEB_API_KEY, captureReply, startGateway } from './web-gateway.ts';
import { footprintCheck, longMemoryRun, TARGET_RSS_MIB } from './web-memory.ts';
import { type LoadResult, runWrk, WRK, wrkInstalled } from './wrk.ts';

/** The issue's targets for the web path. */
const TARGET_RATIO_REDIS = 0.35;
const TARGET_P99_SATURATED_MS = 50;
const TARGET_P99_PACED_MS = 10;
const PACED_RATE = 1000;
const USERS = 1000;
const WARM_UP_SEC = 2;
const FOOTPRINT_CONVERSATIONS = 200;

export interface WebPathOptions {
  durationSec: number;
  connections: number;
  redisUrl: string;
  /** BENCH_LONG=1: the 200,000-message memory run too. */
  long: boolean;
}

const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
const ms = (value: number) => value.toFixed(2).padStart(7);
const cpu = (percent: number | null) => (percent === null ? '     -' : `${percent.toFixed(0).padStart(5)}%`);
/** The server's CPU time per request (ms): what one request costs, however busy the machine was. */
const cpuPerRequest = (r: LoadResult) =>
  r.serverCpuPercent === null || !r.requestsPerSec ? null : (10 * r.serverCpuPercent) / r.requestsPerSec;
const cpuMs = (r: LoadResult) => cpuPerRequest(r)?.toFixed(3).padStart(8) ?? '       -';

function row(r: LoadResult): string {
  const statuses = Object.entries(r.statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  return (
    `${r.name.padEnd(40)} ${r.requestsPerSec.toFixed(0).padStart(7)} ${ms(r.p50)} ${ms(r.p99)} ${ms(r.max)}` +
    ` ${String(r.errors).padStart(6)} ${String(r.non2xx).padStart(7)}${statuses ? ` (${statuses})` : ''}` +
    `  ${cpu(r.wrkCpuPercent)} ${cpu(r.serverCpuPercent)} ${cpuMs(r)}`
  );
}
const HEADER = `${''.padEnd(40)}   req/s  p50 ms  p99 ms  max ms errors non-2xx   wrk CPU server CPU  ms CPU/req`;

/**
 * The web path under wrk (one thread on core 0; the server alone on core 1): the bare Hono baseline
 * answering the gateway's own "hola" reply bytes, the gateway on Redis, the gateway on its embedded
 * memory store; then both paced at 1,000 msg/s; then memory (RSS, Redis bytes per conversation).
 */
export async function benchWebPath(opts: WebPathOptions): Promise<void> {
  if (!wrkInstalled()) {
    console.log(`\n== web path: skipped, wrk is not installed (${WRK}; Debian/Ubuntu: apt-get install wrk)`);
    return;
  }
  const runId = `bench-${Date.now()}`;
  const prefix = `omnibot-bench:${Date.now()}:`;
  const replyFile = join(tmpdir(), `omnibot-bench-reply-${process.pid}.json`);
  const servers: Server[] = [];
  const started = async (server: Promise<Server>) => {
    const s = await server;
    servers.push(s);
    return s;
  };
  const stop = async (server: Server) => {
    if (servers.includes(server)) servers.splice(servers.indexOf(server), 1);
    await server.stop();
  };
  const load = async (name: string, server: Server, paced = false) => {
    const base = {
      connections: opts.connections,
      apiKey: BENCH_WEB_API_KEY,
      users: USERS,
      serverPid: server.pid,
      // Each connection pauses C ms before each request: C connections make about 1,000 requests/s.
      ...(paced ? { delayMs: Math.round((opts.connections * 1000) / PACED_RATE) } : {}),
    };
    // Message ids unique to this run and this load (letters, digits and dashes only).
    const id = `${runId}-${name.replace(/[^A-Za-z0-9]+/g, '-')}${paced ? '-paced' : ''}`;
    await runWrk('warm-up', server.url, { ...base, durationSec: WARM_UP_SEC, runId: `${id}-warm` });
    return runWrk(name, server.url, { ...base, durationSec: opts.durationSec, runId: id });
  };

  const cleanUp = async () => {
    for (const server of servers.splice(0)) await server.stop();
    await clearPrefix(opts.redisUrl, prefix); // leaves the Redis it used as it found it
    await rm(replyFile, { force: true });
  };
  // Interrupted (Ctrl-C, a CI timeout's SIGTERM): the same clean-up, then the usual exit code.
  const onSignal = (signal: NodeJS.Signals) => {
    void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // The Redis gateway answers "hola" once: the bare echo answers with those very bytes.
    const redisGateway = await started(startGateway({ url: opts.redisUrl, prefix }));
    const replyBytes = await captureReply(redisGateway.url, replyFile, runId);

    const bare = await started(startServer('bench/bare-echo.ts', { BENCH_REPLY_FILE: replyFile }, 1));
    const baseline = await load('bare Hono (the gateway\'s "hola" reply)', bare);
    const pacedBare = await load('bare Hono', bare, true);
    await stop(bare);
    // The gateway's app over a runtime that answers at once: what the HTTP layer alone costs.
    const stubEnv = { BENCH_REPLY_FILE: replyFile, WEB_API_KEY: BENCH_WEB_API_KEY };
    const stub = await started(startServer('bench/http-stub.ts', stubEnv, 1));
    const httpLayer = await load('gateway app, runtime stubbed (HTTP only)', stub);
    await stop(stub);

    const redis = await load('gateway, Redis store', redisGateway);
    const pacedRedis = await load('gateway, Redis store', redisGateway, true);
    const redisRss = await rssMiB(redisGateway.pid);
    await stop(redisGateway);
    const redisUsage = await prefixUsage(opts.redisUrl, prefix);

    const memoryGateway = await started(startGateway());
    const memory = await load('gateway, memory store (embedded default)', memoryGateway);
    const memoryRss = await rssMiB(memoryGateway.pid);
    await stop(memoryGateway);

    const redisRatio = redis.requestsPerSec / baseline.requestsPerSec;
    const memoryRatio = memory.requestsPerSec / baseline.requestsPerSec;
    console.log(
      `\n== web path: POST /api/bot/message "hola", a new message_id each, ${USERS} users; reply ${replyBytes} B`,
    );
    console.log(
      `wrk: 1 thread, ${opts.connections} connections, ${opts.durationSec} s per run (after ${WARM_UP_SEC} s of warm-up), on core 0; the server alone on core 1`,
    );
    console.log(`-- saturation\n${HEADER}`);
    for (const r of [baseline, httpLayer, redis, memory]) console.log(row(r));
    console.log(
      `wrk used ${baseline.wrkCpuPercent.toFixed(0)} % of its core driving the bare baseline` +
        (baseline.wrkCpuPercent < 80 ? ' (not the bottleneck)' : ' (NEAR ITS LIMIT: the baseline may be understated)'),
    );
    const starved = [baseline, redis, memory].filter((r) => (r.serverCpuPercent ?? 100) < 90).map((r) => r.name);
    if (starved.length) {
      console.log(
        `NOTE: under 90 % of core 1 for ${starved.join('; ')}: other processes took the core, figures understated`,
      );
    }
    const [bareCost, httpCost, redisCost, memoryCost] = [baseline, httpLayer, redis, memory].map(cpuPerRequest);
    if (bareCost && httpCost && redisCost) {
      console.log(
        `server CPU per request: bare ${bareCost.toFixed(3)} ms, the gateway's HTTP layer ${(httpCost - bareCost).toFixed(3)} ms more, ` +
          `its turn and Redis store ${(redisCost - httpCost).toFixed(3)} ms more`,
      );
    }
    if (bareCost && redisCost && memoryCost) {
      console.log(
        `server CPU per request, bare/gateway (the ratio if core 1 were the server's alone; Redis's own CPU not counted): ` +
          `Redis ${(bareCost / redisCost).toFixed(3)}, memory ${(bareCost / memoryCost).toFixed(3)}`,
      );
    }
    console.log(
      `ratio gateway/bare: Redis ${redisRatio.toFixed(3)} (target ≥ ${TARGET_RATIO_REDIS}: ${verdict(redisRatio >= TARGET_RATIO_REDIS)}),` +
        ` memory ${memoryRatio.toFixed(3)} (target ≥ Redis: ${verdict(memoryRatio >= redisRatio)})`,
    );
    const worstP99 = Math.max(redis.p99, memory.p99);
    console.log(
      `p99 at saturation: Redis ${redis.p99.toFixed(2)} ms, memory ${memory.p99.toFixed(2)} ms (target < ${TARGET_P99_SATURATED_MS} ms: ${verdict(worstP99 < TARGET_P99_SATURATED_MS)})`,
    );

    const delay = Math.round((opts.connections * 1000) / PACED_RATE);
    console.log(
      `-- paced at ${PACED_RATE.toLocaleString('en')} msg/s (wrk delay(): each connection pauses a random time, exponential with a mean of ${delay} ms, before each request: independent arrivals, no bursts; req/s is the rate achieved)\n${HEADER}`,
    );
    for (const r of [pacedBare, pacedRedis]) console.log(row(r));
    console.log(
      `p99 at ${PACED_RATE.toLocaleString('en')} msg/s: Redis gateway ${pacedRedis.p99.toFixed(2)} ms (target < ${TARGET_P99_PACED_MS} ms: ${verdict(pacedRedis.p99 < TARGET_P99_PACED_MS)})`,
    );

    console.log('-- memory');
    console.log(
      `gateway RSS after its runs: Redis store ${redisRss.toFixed(0)} MiB, memory store ${memoryRss.toFixed(0)} MiB (target < ${TARGET_RSS_MIB} MiB: ${verdict(Math.max(redisRss, memoryRss) < TARGET_RSS_MIB)})`,
    );
    const conversations = Math.max(1, redisUsage.conversations);
    console.log(
      `Redis after the gateway's runs: ${redisUsage.conversations} conversations, ` +
        `${formatBytes(redisUsage.perConversation.bytes / conversations)} per conversation (${describeKinds(redisUsage)}; ` +
        `the message ids of every request, kept DEDUP_TTL_SECONDS, are most of it)`,
    );
    await footprintCheck(opts.redisUrl, `${prefix}footprint:`, FOOTPRINT_CONVERSATIONS);
    if (opts.long) {
      await longMemoryRun({
        redisUrl: opts.redisUrl,
        prefix: `${prefix}long:`,
        connections: opts.connections,
        apiKey: BENCH_WEB_API_KEY,
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
}
