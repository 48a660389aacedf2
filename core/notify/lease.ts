import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis-connection.ts';
import { notifyKeys } from './keys.ts';

/** What a write checks to be sure this process still holds the lease: its Redis key and this holder's token. */
export interface LeaseFence {
  key: string;
  token: string;
}

/**
 * Which gateway process polls the CMMS for order changes: one at a time. A process takes the lease
 * when it is free (SET NX PX) and renews it at each round and, while a round runs, every third of
 * its TTL (`ttlMs`: the poller's heartbeat); a process that dies lets it run out, and another takes
 * it over on its next round. The seen state is written only while the lease is held (`fence`).
 */
export interface PollLease {
  /** Takes or renews the lease: true when this process holds it now. */
  hold(): Promise<boolean>;
  /** Lets it go (shutdown), when this process still holds it. */
  release(): Promise<void>;
  /** How long the lease lasts unrenewed; absent when it never runs out (one process). */
  readonly ttlMs?: number;
  /** Absent when there is nothing to fence (one process). */
  readonly fence?: LeaseFence;
}

/** One process (no Redis): it always polls. */
export const soleLease = (): PollLease => ({ hold: async () => true, release: async () => {} });

const HOLD = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The lease's key: `<prefix>notify:poller` (keys.ts: tagged on a cluster). */
export const pollLeaseKey = (prefix: string, cluster = false) => notifyKeys(prefix, cluster).poller;

export function redisPollLease(redis: RedisClient, prefix: string, ttlMs: number, cluster = false): PollLease {
  const key = pollLeaseKey(prefix, cluster);
  const token = randomUUID();
  const ttl = Math.max(1, Math.round(ttlMs));
  return {
    ttlMs: ttl,
    fence: { key, token },
    async hold() {
      return (await redis.eval(HOLD, 1, key, token, String(ttl))) === 1;
    },
    async release() {
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
