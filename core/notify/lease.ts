import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Which gateway process polls the CMMS for order changes: one at a time. A process takes the lease
 * when it is free (SET NX PX) and renews it each round while it holds it; a process that dies lets
 * it run out, and another takes it over on its next round.
 */
export interface PollLease {
  /** Takes or renews the lease for `ttlMs`: true when this process holds it now. */
  hold(): Promise<boolean>;
  /** Lets it go (shutdown), when this process still holds it. */
  release(): Promise<void>;
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

export function redisPollLease(redis: Redis, prefix: string, ttlMs: number): PollLease {
  const key = `${prefix}notify:poller`;
  const token = randomUUID();
  return {
    async hold() {
      return (await redis.eval(HOLD, 1, key, token, String(Math.max(1, Math.round(ttlMs))))) === 1;
    },
    async release() {
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
