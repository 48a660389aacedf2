import { Redis } from 'ioredis';
import { startGateway } from '../../app/gateway.ts';
import { topics } from '../../core/events/bus.ts';
import { clock, type FromGateway, type ToGateway } from './protocol.ts';

/**
 * The gateway of the subscribers bench (bench/subscribers.ts forks this file, with `--expose-gc`): it
 * publishes the bench's messages on its bus and reports its memory and CPU time. The clients' memory and
 * CPU are not counted here. BENCH_SUBSCRIBERS_REDIS_URL set: the Redis bus, under a key prefix of its
 * own that it deletes when stopped. BENCH_SUBSCRIBERS_CPU_PROF=<dir>: a CPU profile of the measured
 * rounds is written there.
 */
async function runGatewayChild(): Promise<void> {
  const send = (message: FromGateway) => process.send?.(message);
  const gc = (globalThis as { gc?: () => void }).gc;
  const redisUrl = process.env.BENCH_SUBSCRIBERS_REDIS_URL;
  const prefix = `bench:subscribers:${process.pid}:`;
  const gateway = await startGateway({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    IDENTITY_REQUIRED: 'none',
    // Thousands of sockets from one address on one token: no connection caps.
    WS_MAX_SOCKETS_PER_ADDRESS: '0',
    WS_MAX_SOCKETS_PER_TOKEN: '0',
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } : {}),
  });
  const profiler = await cpuProfiler(process.env.BENCH_SUBSCRIBERS_CPU_PROF);
  process.on('message', async (message: ToGateway) => {
    if (message.type === 'publish') {
      gateway.bus.publish(topics.messages(message.conversationId), {
        conversationId: message.conversationId,
        direction: 'out',
        text: `bench ${message.seq} ${clock()}`,
        at: new Date().toISOString(),
      });
    } else if (message.type === 'memory') {
      for (let i = 0; i < 3; i++) gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      send({ type: 'memory', rss, heapUsed });
    } else if (message.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      send({ type: 'cpu', micros: user + system });
    } else if (message.type === 'profile') {
      await (message.start ? profiler.start() : profiler.stop());
      send({ type: 'profiled' });
    } else if (message.type === 'stop') {
      await gateway.stop();
      if (redisUrl) await clearPrefix(redisUrl, prefix);
      process.exit(0);
    }
  });
  process.on('disconnect', () => process.exit(0)); // the bench died: do not linger
  send({ type: 'ready', url: gateway.url });
}

/** Deletes the keys the gateway wrote under its prefix (SCAN, not KEYS); never throws. */
async function clearPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { commandTimeout: 10_000, connectTimeout: 10_000, maxRetriesPerRequest: 2 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } catch (error) {
    console.error(`could not clear ${prefix}* in Redis: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

/** A CPU profile of the measured rounds only (not of the start-up or the connections), when asked for. */
async function cpuProfiler(directory: string | undefined) {
  if (!directory) return { start: async () => {}, stop: async () => {} };
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  return {
    async start() {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      const file = `${directory}/gateway-${process.pid}.cpuprofile`;
      await writeFile(file, JSON.stringify(profile));
      console.error(`gateway CPU profile: ${file}`);
    },
  };
}

if (import.meta.main) await runGatewayChild();
