import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startGateway } from '../app/gateway.ts';
import { topics } from '../core/events/bus.ts';

/**
 * GraphQL subscription fan-out: N graphql-ws subscribers (one socket each, all on one conversation's
 * `messages`) receive a message published on the gateway's bus. Prints the delivery latency
 * (publish → client) p50/p99 and the gateway's memory per subscriber (RSS and heap deltas over N,
 * measured in the gateway process after a forced GC).
 *
 * The gateway runs in a child process (so the clients' memory is not counted), on loopback, port 0.
 * Everything is bounded: connect, warm-up and each round have deadlines; the run stops by itself.
 *
 *   node bench/subscribers.ts [--subscribers 2000] [--rounds 20] [--redis-url redis://127.0.0.1:6379]
 *   BENCH_SUBSCRIBERS / BENCH_ROUNDS / BENCH_SUBSCRIBERS_REDIS_URL do the same from env.
 */

export interface SubscribersBenchOptions {
  /** 1..10,000. */
  subscribers: number;
  rounds: number;
  /** Set: the gateway uses the Redis bus (pub/sub round trip included). */
  redisUrl?: string;
  /** Sockets opened at once while connecting. */
  connectConcurrency?: number;
}

export interface SubscribersBenchResult {
  subscribers: number;
  rounds: number;
  bus: 'memory' | 'redis';
  deliveries: number;
  missed: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Per round: publish → last subscriber. */
  fanOutMs: { p50: number; max: number };
  connectSeconds: number;
  perSubscriber: { rssKiB: number; heapKiB: number };
  gateway: { baselineRssMiB: number; loadedRssMiB: number; baselineHeapMiB: number; loadedHeapMiB: number };
}

const MAX_SUBSCRIBERS = 10_000;
const CONNECT_DEADLINE_MS = 120_000;
const WARMUP_DEADLINE_MS = 20_000;
const ROUND_DEADLINE_MS = 10_000;
const RUN_DEADLINE_MS = 300_000;

type ToGateway = { type: 'memory' } | { type: 'publish'; conversationId: string; seq: number } | { type: 'stop' };
type FromGateway =
  | { type: 'ready'; url: string }
  | { type: 'memory'; rss: number; heapUsed: number }
  | { type: 'error'; message: string };

// ------------------------------------------------------------------------------------------------
// Gateway side (child process).
// ------------------------------------------------------------------------------------------------

async function runGatewayChild(): Promise<void> {
  const send = (message: FromGateway) => process.send?.(message);
  const gc = (globalThis as { gc?: () => void }).gc;
  const gateway = await startGateway({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    IDENTITY_REQUIRED: 'none',
    // Thousands of sockets from one address on one token: no connection caps.
    WS_MAX_SOCKETS_PER_ADDRESS: '0',
    WS_MAX_SOCKETS_PER_TOKEN: '0',
    ...(process.env.BENCH_SUBSCRIBERS_REDIS_URL
      ? { REDIS_URL: process.env.BENCH_SUBSCRIBERS_REDIS_URL, REDIS_KEY_PREFIX: `bench:${process.pid}:` }
      : {}),
  });
  process.on('message', async (message: ToGateway) => {
    if (message.type === 'publish') {
      gateway.bus.publish(topics.messages(message.conversationId), {
        conversationId: message.conversationId,
        direction: 'out',
        text: `bench ${message.seq}`,
        at: new Date().toISOString(),
      });
    } else if (message.type === 'memory') {
      for (let i = 0; i < 3; i++) gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      send({ type: 'memory', rss, heapUsed });
    } else if (message.type === 'stop') {
      await gateway.stop();
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0)); // the bench died: do not linger
  send({ type: 'ready', url: gateway.url });
}

// ------------------------------------------------------------------------------------------------
// Bench side.
// ------------------------------------------------------------------------------------------------

function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

class GatewayChild {
  readonly #child: ChildProcess;
  #waiting: ((message: FromGateway) => void)[] = [];
  constructor(redisUrl?: string) {
    this.#child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, OMNIBOT_BENCH_ROLE: 'gateway', BENCH_SUBSCRIBERS_REDIS_URL: redisUrl ?? '' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (message: FromGateway) => this.#waiting.shift()?.(message));
  }
  send(message: ToGateway) {
    this.#child.send(message);
  }
  next(): Promise<FromGateway> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  async memory(): Promise<{ rss: number; heapUsed: number }> {
    const reply = this.next();
    this.send({ type: 'memory' });
    const message = await withDeadline(reply, 10_000, 'gateway memory');
    if (message.type !== 'memory') throw new Error(`unexpected ${message.type}`);
    return message;
  }
  async stop() {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.send({ type: 'stop' });
    await withDeadline(exited, 15_000, 'gateway stop').catch(() => this.#child.kill('SIGKILL'));
  }
}

interface Subscriber {
  socket: WebSocket;
  lastSeq: number;
  /** Has received any message: its subscription is live on the server. */
  live: boolean;
}

/** A bare graphql-transport-ws subscriber: init with the token, subscribe to `messages` once acked. */
function connectSubscriber(
  wsUrl: string,
  token: string,
  conversationId: string,
  onMessage: (subscriber: Subscriber, seq: number) => void,
): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    const subscriber: Subscriber = { socket, lastSeq: -1, live: false };
    let acked = false;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { token } })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as {
        type: string;
        payload?: { data?: { messages?: { text: string } } };
      };
      if (message.type === 'next') {
        const text = message.payload?.data?.messages?.text ?? '';
        onMessage(subscriber, Number(text.slice('bench '.length)));
      } else if (message.type === 'connection_ack') {
        acked = true;
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: {
              query: 'subscription($id: ID!) { messages(conversationId: $id) { text } }',
              variables: { id: conversationId },
            },
          }),
        );
        resolve(subscriber);
      } else if (message.type === 'ping') {
        socket.send('{"type":"pong"}');
      }
    });
    socket.on('error', (error) => {
      if (!acked) reject(error);
    });
    socket.on('close', (code) => {
      if (!acked) reject(new Error(`closed with ${code} before connection_ack`));
    });
  });
}

export async function benchSubscribers(options: SubscribersBenchOptions): Promise<SubscribersBenchResult> {
  const n = Math.trunc(options.subscribers);
  if (!(n >= 1 && n <= MAX_SUBSCRIBERS)) throw new Error(`subscribers must be 1..${MAX_SUBSCRIBERS}`);
  const rounds = Math.max(1, Math.trunc(options.rounds));
  const concurrency = options.connectConcurrency ?? 200;

  const gateway = new GatewayChild(options.redisUrl);
  const subscribers: Subscriber[] = [];
  try {
    const ready = await withDeadline(gateway.next(), 30_000, 'gateway start');
    if (ready.type !== 'ready') throw new Error(`gateway failed: ${JSON.stringify(ready)}`);
    const started = await fetch(`${ready.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { startConversation { conversationId token } }' }),
    });
    const { data } = (await started.json()) as {
      data: { startConversation: { conversationId: string; token: string } };
    };
    const { conversationId, token } = data.startConversation;
    const baseline = await gateway.memory();

    // Per-round bookkeeping: arrival times relative to the publish.
    let currentSeq = -1;
    let publishedAt = 0;
    let received = 0;
    let latencies = new Float64Array(n);
    let roundDone: () => void = () => {};
    let liveCount = 0;
    let allLive: () => void = () => {};
    const onMessage = (subscriber: Subscriber, seq: number) => {
      if (!subscriber.live) {
        subscriber.live = true;
        if (++liveCount === n) allLive();
      }
      if (seq !== currentSeq || subscriber.lastSeq === seq) return;
      subscriber.lastSeq = seq;
      latencies[received++] = performance.now() - publishedAt;
      if (received === subscribers.length) roundDone();
    };

    const wsUrl = `${ready.url.replace(/^http/, 'ws')}/graphql`;
    const connectStart = performance.now();
    await withDeadline(
      (async () => {
        for (let offset = 0; offset < n; offset += concurrency) {
          const batch = Math.min(concurrency, n - offset);
          const opened = await Promise.all(
            Array.from({ length: batch }, () => connectSubscriber(wsUrl, token, conversationId, onMessage)),
          );
          subscribers.push(...opened);
        }
      })(),
      CONNECT_DEADLINE_MS,
      `connecting ${n} subscribers`,
    );
    const connectSeconds = (performance.now() - connectStart) / 1000;

    const publishRound = async (seq: number, deadlineMs: number): Promise<boolean> => {
      currentSeq = seq;
      received = 0;
      latencies = new Float64Array(n);
      const done = new Promise<void>((resolve) => {
        roundDone = resolve;
      });
      publishedAt = performance.now();
      gateway.send({ type: 'publish', conversationId, seq });
      return withDeadline(done, deadlineMs, 'round').then(
        () => true,
        () => false,
      );
    };

    // Warm-up: the server handles `subscribe` asynchronously; publish until every subscriber is live.
    const everyoneLive = new Promise<void>((resolve) => {
      allLive = resolve;
    });
    const warmupEnd = performance.now() + WARMUP_DEADLINE_MS;
    for (let warmSeq = 1_000_000; liveCount < n; warmSeq++) {
      if (performance.now() > warmupEnd) throw new Error(`only ${liveCount}/${n} subscribers live after warm-up`);
      gateway.send({ type: 'publish', conversationId, seq: warmSeq });
      await withDeadline(everyoneLive, 1_000, 'warm-up').catch(() => undefined);
    }
    // Let the last warm-up messages drain before measuring.
    await publishRound(999_999, ROUND_DEADLINE_MS);
    const loaded = await gateway.memory();

    const all: number[] = [];
    const fanOut: number[] = [];
    let missed = 0;
    for (let seq = 0; seq < rounds; seq++) {
      const complete = await publishRound(seq, ROUND_DEADLINE_MS);
      const got = latencies.subarray(0, received);
      all.push(...got);
      if (complete) fanOut.push(Math.max(...got));
      missed += n - received;
    }
    all.sort((a, b) => a - b);
    fanOut.sort((a, b) => a - b);

    const mib = (bytes: number) => round2(bytes / 1024 / 1024);
    return {
      subscribers: n,
      rounds,
      bus: options.redisUrl ? 'redis' : 'memory',
      deliveries: all.length,
      missed,
      latencyMs: {
        p50: round2(percentile(all, 50)),
        p99: round2(percentile(all, 99)),
        max: round2(all.at(-1) ?? Number.NaN),
      },
      fanOutMs: { p50: round2(percentile(fanOut, 50)), max: round2(fanOut.at(-1) ?? Number.NaN) },
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
    for (const { socket } of subscribers) socket.terminate();
    await gateway.stop();
  }
}

export function printSubscribersResult(result: SubscribersBenchResult): void {
  const lines = [
    `graphql-ws fan-out: ${result.subscribers} subscribers × ${result.rounds} messages (${result.bus} bus)`,
    `  connect                 ${result.connectSeconds} s`,
    `  delivery latency        p50 ${result.latencyMs.p50} ms · p99 ${result.latencyMs.p99} ms · max ${result.latencyMs.max} ms`,
    `  publish → last client   p50 ${result.fanOutMs.p50} ms · max ${result.fanOutMs.max} ms`,
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

if (process.env.OMNIBOT_BENCH_ROLE === 'gateway') {
  await runGatewayChild();
} else if (import.meta.main) {
  const hardStop = setTimeout(() => {
    console.error(`subscribers bench: still running after ${RUN_DEADLINE_MS / 1000} s, giving up`);
    process.exit(2);
  }, RUN_DEADLINE_MS);
  hardStop.unref();
  const redisUrl = argument('redis-url') ?? process.env.BENCH_SUBSCRIBERS_REDIS_URL;
  const result = await benchSubscribers({
    subscribers: Number(argument('subscribers') ?? process.env.BENCH_SUBSCRIBERS ?? 2000),
    rounds: Number(argument('rounds') ?? process.env.BENCH_ROUNDS ?? 20),
    ...(redisUrl ? { redisUrl } : {}),
  });
  printSubscribersResult(result);
  console.log(JSON.stringify({ bench: 'subscribers', ...result }));
}
