import type { RedisClient } from '../redis-connection.ts';

/**
 * A channel's own small shared state (WhatsApp's customer-service windows and held messages, the
 * Telegram message a result may replace): values with a time to live, and lists read, handed on,
 * then trimmed. In Redis (`<prefix>channel:<name>:<key>`) every gateway process sees it; in memory
 * only this one. Each plugin gets its own, scoped to its name (`PluginHost.channelState`): no key of
 * one channel reaches another's.
 */
export interface ChannelState {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent; true when it was set. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /**
   * Appends to a list kept `ttlMs` after the last push; with `maxLength`, the oldest entries beyond
   * it are dropped in the same step. The list's new length and how many entries were dropped.
   */
  push(key: string, value: string, ttlMs: number, maxLength?: number): Promise<PushedList>;
  /** The whole list, oldest first; nothing is removed. */
  peek(key: string): Promise<string[]>;
  /**
   * Removes the list's oldest entries up to and including the first one equal to `value` (the newest
   * entry a `peek` handed on), atomically: entries pushed meanwhile stay. Nothing when `value` is no
   * longer there (dropped or erased). Meant for lists of unique values. How many were removed.
   */
  dropThrough(key: string, value: string): Promise<number>;
}

export interface PushedList {
  length: number;
  /** Oldest entries dropped to keep the list within `maxLength`. */
  dropped: number;
}

export type ChannelStateFor = (channel: string) => ChannelState;

interface Held {
  value: string | string[];
  expiresAt: number;
}

const ttlOf = (ttlMs: number) => Math.max(1, Math.round(ttlMs));

/** One process's channel state (no REDIS_URL, tests). */
export function memoryChannelStates(now: () => number = Date.now): ChannelStateFor {
  const entries = new Map<string, Held>();
  const live = (key: string): Held | undefined => {
    const held = entries.get(key);
    if (held && held.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return held;
  };
  const listOf = (key: string): string[] => {
    const held = live(key);
    return Array.isArray(held?.value) ? held.value : [];
  };
  return (channel) => {
    const scoped = (key: string) => `${channel}:${key}`;
    return {
      async get(key) {
        const held = live(scoped(key));
        return typeof held?.value === 'string' ? held.value : null;
      },
      async set(key, value, ttlMs) {
        entries.set(scoped(key), { value, expiresAt: now() + ttlMs });
      },
      async setIfAbsent(key, value, ttlMs) {
        if (live(scoped(key))) return false;
        entries.set(scoped(key), { value, expiresAt: now() + ttlMs });
        return true;
      },
      async delete(key) {
        entries.delete(scoped(key));
      },
      async push(key, value, ttlMs, maxLength) {
        const list = [...listOf(scoped(key)), value];
        const dropped = maxLength === undefined ? 0 : Math.max(0, list.length - Math.max(1, maxLength));
        const kept = list.slice(dropped);
        entries.set(scoped(key), { value: kept, expiresAt: now() + ttlMs });
        return { length: kept.length, dropped };
      },
      async peek(key) {
        return [...listOf(scoped(key))];
      },
      async dropThrough(key, value) {
        const held = live(scoped(key));
        const list = listOf(scoped(key));
        const index = list.indexOf(value);
        if (!held || index < 0) return 0;
        const rest = list.slice(index + 1);
        if (rest.length === 0) entries.delete(scoped(key));
        else entries.set(scoped(key), { value: rest, expiresAt: held.expiresAt });
        return index + 1;
      },
    };
  };
}

/** LPOS + LTRIM in one step: a push (at the tail) or a cap's trim (at the head) cannot come in between. */
const DROP_THROUGH = `
local index = redis.call('LPOS', KEYS[1], ARGV[1])
if not index then return 0 end
redis.call('LTRIM', KEYS[1], index + 1, -1)
return index + 1`;

/** Channel state in Redis, shared by every gateway process. */
export function redisChannelStates(redis: RedisClient, keyPrefix: string): ChannelStateFor {
  return (channel) => {
    const scoped = (key: string) => `${keyPrefix}channel:${channel}:${key}`;
    return {
      get: (key) => redis.get(scoped(key)),
      async set(key, value, ttlMs) {
        await redis.set(scoped(key), value, 'PX', ttlOf(ttlMs));
      },
      async setIfAbsent(key, value, ttlMs) {
        return (await redis.set(scoped(key), value, 'PX', ttlOf(ttlMs), 'NX')) === 'OK';
      },
      async delete(key) {
        await redis.del(scoped(key));
      },
      async push(key, value, ttlMs, maxLength) {
        const transaction = redis.multi().rpush(scoped(key), value);
        if (maxLength !== undefined) transaction.ltrim(scoped(key), -Math.max(1, maxLength), -1);
        const results = (await transaction.pexpire(scoped(key), ttlOf(ttlMs)).exec()) ?? [];
        const [error, pushed] = results[0] ?? [new Error('channel state push: no reply'), 0];
        if (error) throw error;
        const total = Number(pushed);
        const dropped = maxLength === undefined ? 0 : Math.max(0, total - Math.max(1, maxLength));
        return { length: total - dropped, dropped };
      },
      peek: (key) => redis.lrange(scoped(key), 0, -1),
      async dropThrough(key, value) {
        return Number(await redis.eval(DROP_THROUGH, 1, scoped(key), value));
      },
    };
  };
}
