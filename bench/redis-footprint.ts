import { Redis } from 'ioredis';

/** Every Redis command of the benchmark's own bookkeeping answers within this (or fails). */
const COMMAND_TIMEOUT_MS = 10_000;
const SCAN_COUNT = 1000;

/**
 * The key kinds (the word after the prefix) that belong to one conversation; the rest are global.
 * `conv-replies` holds a turn's replies for a retried delivery, for an hour (REPLIES_KEPT_MS), when they
 * are not all fixed texts (those are kept by reference in `conv-answered`).
 */
const CONVERSATION_KINDS = new Set(['conv', 'conv-events', 'conv-transcript', 'conv-answered', 'conv-replies', 'msg']);

export function openBenchRedis(url: string): Redis {
  const redis = new Redis(url, {
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 2,
  });
  // A connection error reaches the caller as its command's rejection; no "Unhandled error event" too.
  redis.on('error', () => {});
  return redis;
}

async function* keysUnder(redis: Redis, prefix: string): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length) yield keys;
  } while (cursor !== '0');
}

/** Deletes every key under a prefix (SCAN, not KEYS); never throws (it runs in `finally`). */
export async function clearPrefix(url: string, prefix: string): Promise<number> {
  const redis = openBenchRedis(url);
  let deleted = 0;
  try {
    for await (const keys of keysUnder(redis, prefix)) deleted += await redis.unlink(...keys);
  } catch (error) {
    console.error(`could not clear ${prefix}* in Redis: ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export interface KindUsage {
  keys: number;
  bytes: number;
}

export interface PrefixUsage {
  /** Conversations: the `conv:<id>` hashes. */
  conversations: number;
  /** Bytes by key kind (`conv`, `conv-events`, `conv-transcript`, `conv-answered`, `conversations`, …). */
  kinds: Map<string, KindUsage>;
  /** Keys of one conversation (hash, events, transcript, answered ids, replies, message claims). */
  perConversation: KindUsage;
  /** Keys shared by all (indexes, limits, secrets). */
  global: KindUsage;
}

/** Sum of `MEMORY USAGE … SAMPLES 0` (every element counted) over the keys under a prefix, by kind. */
export async function prefixUsage(url: string, prefix: string): Promise<PrefixUsage> {
  const redis = openBenchRedis(url);
  const kinds = new Map<string, KindUsage>();
  try {
    for await (const keys of keysUnder(redis, prefix)) {
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      const answers = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => {
        const rest = key.slice(prefix.length);
        const kind = rest.includes(':') ? rest.slice(0, rest.indexOf(':')) : rest;
        const usage = kinds.get(kind) ?? { keys: 0, bytes: 0 };
        usage.keys += 1;
        usage.bytes += Number(answers[i]?.[1] ?? 0); // a key that expired meanwhile answers null
        kinds.set(kind, usage);
      });
    }
  } finally {
    redis.disconnect();
  }
  const sum = (conversation: boolean) => {
    const total = { keys: 0, bytes: 0 };
    for (const [kind, usage] of kinds) {
      if (CONVERSATION_KINDS.has(kind) !== conversation) continue;
      total.keys += usage.keys;
      total.bytes += usage.bytes;
    }
    return total;
  };
  return { conversations: kinds.get('conv')?.keys ?? 0, kinds, perConversation: sum(true), global: sum(false) };
}

/** Total length of the lists of one kind under a prefix (e.g. the transcripts' entries). */
export async function totalListLength(url: string, prefix: string, kind: string): Promise<number> {
  const redis = openBenchRedis(url);
  let total = 0;
  try {
    for await (const keys of keysUnder(redis, `${prefix}${kind}:`)) {
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.llen(key);
      for (const [, length] of (await pipeline.exec()) ?? []) total += Number(length ?? 0);
    }
  } finally {
    redis.disconnect();
  }
  return total;
}

/** "conv 1000 keys 310 KiB, msg …": the breakdown, largest first. */
export function describeKinds(usage: PrefixUsage): string {
  return [...usage.kinds]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .map(([kind, { keys, bytes }]) => `${kind} ${keys} keys ${formatBytes(bytes)}`)
    .join(', ');
}

export function formatBytes(bytes: number): string {
  return bytes >= 10 * 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : `${bytes.toFixed(0)} B`;
}
