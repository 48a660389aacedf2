import { availableParallelism } from 'node:os';
import { Child, withDeadline } from './subscribers/child.ts';
import type { FromClients, FromGateway, ToClients, ToGateway } from './subscribers/protocol.ts';

/**
 * GraphQL subscription fan-out: N graphql-ws subscribers (one socket each, all on one conversation's
 * `messages`) receive a message published on the gateway's bus. Prints the delivery latency
 * (publish → client) p50/p99/max, the time from the publish to the last client, and the gateway's
 * memory per subscriber (RSS and heap deltas over N, measured in the gateway process after a forced GC).
 *
 * Three kinds of processes: the bench (this file: coordinates), the gateway (a child,
 * bench/subscribers/gateway-child.ts: the clients' memory and CPU are not counted), and the clients
 * (bench/subscribers/client-child.ts), spread over several children so that receiving 10,000 sockets is
 * not itself the bottleneck; bench/subscribers/protocol.ts has their messages. The gateway puts its clock (`performance.timeOrigin + now()`, the same
 * wall clock in every process of the machine) in the published text; a client's latency is its
 * receive time minus that publish time. Everything is bounded: connect, warm-up and each round have
 * deadlines; the run stops by itself.
 *
 *   node bench/subscribers.ts [--subscribers 2000] [--rounds 20] [--client-processes N] [--redis-url redis://127.0.0.1:6379]
 *   BENCH_SUBSCRIBERS / BENCH_ROUNDS / BENCH_SUBSCRIBER_PROCESSES / BENCH_SUBSCRIBERS_REDIS_URL do the same from env.
 *   BENCH_SUBSCRIBERS_CPU_PROF=<dir>: the gateway writes a CPU profile of the measured rounds there.
 */

export interface SubscribersBenchOptions {
  /** 1..10,000. */
  subscribers: number;
  rounds: number;
  /** Set: the gateway uses the Redis bus (pub/sub round trip included). */
  redisUrl?: string;
  /** Sockets each client process opens at once while connecting. */
  connectConcurrency?: number;
  /**
   * Client processes the subscribers are spread over (default BENCH_SUBSCRIBER_PROCESSES, else one per
   * core the gateway leaves, at most 4: more would only take CPU from the gateway).
   */
  clientProcesses?: number;
}

export interface SubscribersBenchResult {
  subscribers: number;
  rounds: number;
  bus: 'memory' | 'redis';
  clientProcesses: number;
  deliveries: number;
  missed: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Per round: publish → last subscriber. */
  fanOutMs: { p50: number; max: number };
  /** The gateway's CPU time (user + system) per message published, over the measured rounds. */
  gatewayCpuMsPerMessage: number;
  /** The client processes' CPU time per message (all of them together): receiving is not free either. */
  clientsCpuMsPerMessage: number;
  connectSeconds: number;
  perSubscriber: { rssKiB: number; heapKiB: number };
  gateway: { baselineRssMiB: number; loadedRssMiB: number; baselineHeapMiB: number; loadedHeapMiB: number };
}

const MAX_SUBSCRIBERS = 10_000;
const CONNECT_DEADLINE_MS = 120_000;
const WARMUP_DEADLINE_MS = 20_000;
const ROUND_DEADLINE_MS = 10_000;
const RUN_DEADLINE_MS = 300_000;
/** Sequence numbers from here on are warm-up messages (never measured). */
const WARMUP_SEQ = 1_000_000;

function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The child scripts, forked with `node` (type stripping) like this file. */
const GATEWAY_CHILD = new URL('./subscribers/gateway-child.ts', import.meta.url);
const CLIENT_CHILD = new URL('./subscribers/client-child.ts', import.meta.url);

const defaultProcesses = () => Math.max(1, Math.min(4, availableParallelism() - 1));

export async function benchSubscribers(options: SubscribersBenchOptions): Promise<SubscribersBenchResult> {
  const n = Math.trunc(options.subscribers);
  if (!(n >= 1 && n <= MAX_SUBSCRIBERS)) throw new Error(`subscribers must be 1..${MAX_SUBSCRIBERS}`);
  const rounds = Math.max(1, Math.trunc(options.rounds));
  const concurrency = options.connectConcurrency ?? 200;
  const processes = Math.max(
    1,
    Math.min(
      n,
      Math.trunc(options.clientProcesses ?? Number(process.env.BENCH_SUBSCRIBER_PROCESSES ?? defaultProcesses())),
    ),
  );
  const profiling = Boolean(process.env.BENCH_SUBSCRIBERS_CPU_PROF);

  const gateway = new Child<ToGateway, FromGateway>(
    GATEWAY_CHILD,
    { BENCH_SUBSCRIBERS_REDIS_URL: options.redisUrl ?? '' },
    ['--expose-gc'],
  );
  const clients = Array.from({ length: processes }, () => new Child<ToClients, FromClients>(CLIENT_CHILD, {}));
  try {
    const ready = await gateway.expect('ready', 30_000);
    const started = await fetch(`${ready.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { startConversation { conversationId token } }' }),
      signal: AbortSignal.timeout(10_000),
    });
    const { data } = (await started.json()) as {
      data: { startConversation: { conversationId: string; token: string } };
    };
    const { conversationId, token } = data.startConversation;
    gateway.send({ type: 'memory' });
    const baseline = await gateway.expect('memory', 10_000);

    const wsUrl = `${ready.url.replace(/^http/, 'ws')}/graphql`;
    const connectStart = performance.now();
    const shares = clients.map((_, i) => Math.floor(n / processes) + (i < n % processes ? 1 : 0));
    clients.forEach((client, i) => {
      client.send({ type: 'connect', wsUrl, token, conversationId, count: shares[i]!, concurrency });
    });
    await Promise.all(clients.map((client) => client.expect('connected', CONNECT_DEADLINE_MS)));
    const connectSeconds = (performance.now() - connectStart) / 1000;

    // Warm-up: the server handles `subscribe` asynchronously; publish until every subscriber is live.
    const everyoneLive = Promise.all(clients.map((client) => client.expect('live', WARMUP_DEADLINE_MS)));
    let live = false;
    everyoneLive.then(
      () => {
        live = true;
      },
      () => undefined, // the loop below gives up at its own deadline
    );
    const warmupEnd = performance.now() + WARMUP_DEADLINE_MS;
    for (let warmSeq = WARMUP_SEQ; !live; warmSeq++) {
      if (performance.now() > warmupEnd) throw new Error(`not every subscriber is live after warm-up`);
      gateway.send({ type: 'publish', conversationId, seq: warmSeq });
      await withDeadline(everyoneLive, 1_000, 'warm-up').catch(() => undefined);
    }

    /** One message to everyone: the latencies every client process measured (fewer than n: some missed). */
    const publishRound = async (seq: number): Promise<number[]> => {
      for (const client of clients) client.send({ type: 'expect', seq });
      gateway.send({ type: 'publish', conversationId, seq });
      const reports = clients.map(async (client) => {
        const collect = async () => {
          for (;;) {
            const message = await client.next();
            if (message.type === 'round' && message.seq === seq) return message.latencies;
            if (message.type === 'error') throw new Error(message.message);
          }
        };
        const collecting = collect();
        const complete = await withDeadline(collecting, ROUND_DEADLINE_MS, 'round').catch(() => null);
        if (complete) return complete;
        client.send({ type: 'report', seq });
        return withDeadline(collecting, 5_000, 'round report');
      });
      return (await Promise.all(reports)).flat();
    };

    // Let the last warm-up messages drain before measuring.
    await publishRound(WARMUP_SEQ - 1);
    gateway.send({ type: 'memory' });
    const loaded = await gateway.expect('memory', 10_000);

    if (profiling) {
      gateway.send({ type: 'profile', start: true });
      await gateway.expect('profiled', 10_000);
    }
    const cpuNow = async () => {
      gateway.send({ type: 'cpu' });
      for (const client of clients) client.send({ type: 'cpu' });
      const [own, theirs] = await Promise.all([
        gateway.expect('cpu', 10_000),
        Promise.all(clients.map((client) => client.expect('cpu', 10_000))),
      ]);
      return { gateway: own.micros, clients: theirs.reduce((sum, { micros }) => sum + micros, 0) };
    };
    const cpuBefore = await cpuNow();
    const all: number[] = [];
    const fanOut: number[] = [];
    let missed = 0;
    for (let seq = 0; seq < rounds; seq++) {
      const got = await publishRound(seq);
      for (const latency of got) all.push(latency);
      if (got.length === n) fanOut.push(Math.max(...got));
      missed += n - got.length;
    }
    const cpuAfter = await cpuNow();
    if (profiling) {
      gateway.send({ type: 'profile', start: false });
      await gateway.expect('profiled', 30_000);
    }
    all.sort((a, b) => a - b);
    fanOut.sort((a, b) => a - b);

    const mib = (bytes: number) => round2(bytes / 1024 / 1024);
    return {
      subscribers: n,
      rounds,
      bus: options.redisUrl ? 'redis' : 'memory',
      clientProcesses: processes,
      deliveries: all.length,
      missed,
      latencyMs: {
        p50: round2(percentile(all, 50)),
        p99: round2(percentile(all, 99)),
        max: round2(all.at(-1) ?? Number.NaN),
      },
      fanOutMs: { p50: round2(percentile(fanOut, 50)), max: round2(fanOut.at(-1) ?? Number.NaN) },
      gatewayCpuMsPerMessage: round2((cpuAfter.gateway - cpuBefore.gateway) / 1000 / rounds),
      clientsCpuMsPerMessage: round2((cpuAfter.clients - cpuBefore.clients) / 1000 / rounds),
      connectSeconds: round2(connectSeconds),
      perSubscriber: {
        rssKiB: round2((loaded.rss - baseline.rss) / n / 1024),
        heapKiB: round2((loaded.heapUsed - baseline.heapUsed) / n / 1024),
      },
      gateway: {
        baselineRssMiB: mib(baseline.rss),
        loadedRssMiB: mib(loaded.rss),
        baselineHeapMiB: mib(baseline.heapUsed),
        loadedHeapMiB: mib(loaded.heapUsed),
      },
    };
  } finally {
    await Promise.all(clients.map((client) => client.stop({ type: 'stop' })));
    await gateway.stop({ type: 'stop' });
  }
}

export function printSubscribersResult(result: SubscribersBenchResult): void {
  const lines = [
    `graphql-ws fan-out: ${result.subscribers} subscribers × ${result.rounds} messages (${result.bus} bus, clients in ${result.clientProcesses} processes)`,
    `  connect                 ${result.connectSeconds} s`,
    `  delivery latency        p50 ${result.latencyMs.p50} ms · p99 ${result.latencyMs.p99} ms · max ${result.latencyMs.max} ms`,
    `  publish → last client   p50 ${result.fanOutMs.p50} ms · max ${result.fanOutMs.max} ms`,
    `  CPU / message           gateway ${result.gatewayCpuMsPerMessage} ms · clients ${result.clientsCpuMsPerMessage} ms (user + system)`,
    `  deliveries              ${result.deliveries} (missed ${result.missed})`,
    `  gateway memory / sub    RSS ${result.perSubscriber.rssKiB} KiB · heap ${result.perSubscriber.heapKiB} KiB`,
    `  gateway RSS             ${result.gateway.baselineRssMiB} → ${result.gateway.loadedRssMiB} MiB; heap ${result.gateway.baselineHeapMiB} → ${result.gateway.loadedHeapMiB} MiB`,
  ];
  console.log(lines.join('\n'));
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (import.meta.main) {
  const hardStop = setTimeout(() => {
    console.error(`subscribers bench: still running after ${RUN_DEADLINE_MS / 1000} s, giving up`);
    process.exit(2);
  }, RUN_DEADLINE_MS);
  hardStop.unref();
  const redisUrl = argument('redis-url') ?? process.env.BENCH_SUBSCRIBERS_REDIS_URL;
  const clientProcesses = argument('client-processes');
  const result = await benchSubscribers({
    subscribers: Number(argument('subscribers') ?? process.env.BENCH_SUBSCRIBERS ?? 2000),
    rounds: Number(argument('rounds') ?? process.env.BENCH_ROUNDS ?? 20),
    ...(redisUrl ? { redisUrl } : {}),
    ...(clientProcesses ? { clientProcesses: Number(clientProcesses) } : {}),
  });
  printSubscribersResult(result);
  console.log(JSON.stringify({ bench: 'subscribers', ...result }));
}
