import type { Redis } from 'ioredis';

/**
 * A channel's own small shared state (WhatsApp's customer-service windows and held messages, the
 * Telegram message a result may replace): values with a time to live, and lists taken whole. In
 * Redis (`<prefix>channel:<name>:<key>`) every gateway process sees it; in memory only this one.
 * Each plugin gets its own, scoped to its name (`PluginHost.channelState`): no key of one channel
 * reaches another's.
 */
export interface ChannelState {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Sets only when the key is absent; true when it was set. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Appends to a list kept `ttlMs` after the last push; the list's new length. */
  push(key: string, value: string, ttlMs: number): Promise<number>;
  /** Removes and returns the whole list, oldest first, atomically (one taker wins). */
  takeAll(key: string): Promise<string[]>;
}

export type ChannelStateFor = (channel: string) => ChannelState;

interface Held {
  value: string | string[];
  expiresAt: number;
}

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
      async push(key, value, ttlMs) {
        const held = live(scoped(key));
        const list = Array.isArray(held?.value) ? [...held.value, value] : [value];
        entries.set(scoped(key), { value: list, expiresAt: now() + ttlMs });
        return list.length;
      },
      async takeAll(key) {
        const held = live(scoped(key));
        entries.delete(scoped(key));
        return Array.isArray(held?.value) ? held.value : [];
      },
    };
  };
}

/** Channel state in Redis, shared by every gateway process. */
export function redisChannelStates(redis: Redis, keyPrefix: string): ChannelStateFor {
  return (channel) => {
    const scoped = (key: string) => `${keyPrefix}channel:${channel}:${key}`;
    return {
      get: (key) => redis.get(scoped(key)),
      async set(key, value, ttlMs) {
        await redis.set(scoped(key), value, 'PX', Math.max(1, Math.round(ttlMs)));
      },
      async setIfAbsent(key, value, ttlMs) {
        return (await redis.set(scoped(key), value, 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
      },
      async delete(key) {
        await redis.del(scoped(key));
      },
      async push(key, value, ttlMs) {
        const [[, length]] = (await redis
          .multi()
          .rpush(scoped(key), value)
          .pexpire(scoped(key), Math.max(1, Math.round(ttlMs)))
          .exec()) as [[Error | null, number]];
        return length;
      },
      async takeAll(key) {
        const [[, list]] = (await redis.multi().lrange(scoped(key), 0, -1).del(scoped(key)).exec()) as [
          [Error | null, string[]],
        ];
        return list ?? [];
      },
    };
  };
}
