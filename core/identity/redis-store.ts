import type { RedisClient } from '../redis-connection.ts';
import { codeFromJson, expirable, type IdentityStore, identityKeys, recordFromJson, type TryKind } from './store.ts';
import type { IdentityRecord } from './types.ts';

/** Gives a try back without ever going below zero or touching the window's expiry. */
const REFUND = `local n = tonumber(redis.call('GET', KEYS[1]))
if n and n > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

/** Replaces a value only if it is still the one read (compare-and-set); 1 when replaced. */
const REPLACE_IF_UNCHANGED = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** A transaction's replies, or its first command's error thrown. */
async function run(multi: ReturnType<RedisClient['multi']>): Promise<unknown[]> {
  const replies = (await multi.exec()) ?? [];
  for (const [error] of replies) if (error) throw error;
  return replies.map(([, value]) => value);
}

/** Links read at once (MGET) when listing. */
const CHUNK = 200;

/**
 * The identity store in Redis, shared by every gateway process (key layout in `store.ts`, each key
 * under `keyPrefix`). A code is taken with GETDEL (single use across processes); the per-user sets
 * are an index: a member whose link now names another user (or none) is dropped when read.
 */
export function createRedisIdentityStore(
  redis: RedisClient,
  keyPrefix: string,
  now: () => number = Date.now,
): IdentityStore {
  const key = {
    link: (id: string) => keyPrefix + identityKeys.link(id),
    all: () => keyPrefix + identityKeys.all(),
    user: (id: number) => keyPrefix + identityKeys.user(id),
    code: (code: string) => keyPrefix + identityKeys.code(code),
    codeOf: (id: string) => keyPrefix + identityKeys.codeOf(id),
    tries: (kind: TryKind, id: string) => keyPrefix + identityKeys.tries(kind, id),
  };

  /** The links of these conversations, in order (null where there is none). */
  async function readLinks(ids: string[]): Promise<Array<IdentityRecord | null>> {
    const found: Array<IdentityRecord | null> = [];
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK);
      const values = await redis.mget(...chunk.map(key.link));
      found.push(...values.map((json) => recordFromJson(json)));
    }
    return found;
  }

  return {
    async get(conversationId) {
      return recordFromJson(await redis.get(key.link(conversationId)));
    },
    async put(record) {
      const before = recordFromJson(await redis.get(key.link(record.conversationId)));
      const multi = redis
        .multi()
        .set(key.link(record.conversationId), JSON.stringify(record))
        .sadd(key.all(), record.conversationId)
        .sadd(key.user(record.cmmsUserId), record.conversationId);
      if (before && before.cmmsUserId !== record.cmmsUserId) {
        multi.srem(key.user(before.cmmsUserId), record.conversationId);
      }
      await run(multi);
    },
    async markExpired(conversationId, linkedBefore) {
      const name = key.link(conversationId);
      const raw = await redis.get(name);
      const found = recordFromJson(raw);
      if (!raw || !found || !expirable(found, linkedBefore)) return null;
      const marked: IdentityRecord = { ...found, expired: true };
      const replaced = await redis.eval(REPLACE_IF_UNCHANGED, 1, name, raw, JSON.stringify(marked));
      return replaced === 1 ? marked : null;
    },
    async remove(conversationId) {
      const removed = recordFromJson(await redis.getdel(key.link(conversationId)));
      const multi = redis.multi().srem(key.all(), conversationId);
      if (removed) multi.srem(key.user(removed.cmmsUserId), conversationId);
      await run(multi);
      return removed;
    },
    async list() {
      const ids = await redis.smembers(key.all());
      const links = await readLinks(ids);
      const stale = ids.filter((_, index) => !links[index]);
      if (stale.length) await redis.srem(key.all(), ...stale);
      return links.filter((link): link is IdentityRecord => link !== null);
    },
    async conversationsOf(cmmsUserId) {
      const ids = await redis.smembers(key.user(cmmsUserId));
      const links = await readLinks(ids);
      const stale = ids.filter((_, index) => links[index]?.cmmsUserId !== cmmsUserId);
      if (stale.length) await redis.srem(key.user(cmmsUserId), ...stale);
      return ids.filter((_, index) => links[index]?.cmmsUserId === cmmsUserId);
    },
    async putCode(code) {
      const ttlMs = Math.max(1, Math.ceil(code.expiresAt - now()));
      await redis.set(key.code(code.code), JSON.stringify(code), 'PX', ttlMs);
      // The chat's newest code, swapped in; the one it replaces stops working.
      const earlier = await redis.set(key.codeOf(code.conversationId), code.code, 'PX', ttlMs, 'GET');
      if (earlier && earlier !== code.code) await redis.del(key.code(earlier));
    },
    async voidCodes(conversationId) {
      const live = await redis.getdel(key.codeOf(conversationId));
      if (live) await redis.del(key.code(live));
    },
    async peekCode(code) {
      const found = codeFromJson(await redis.get(key.code(code)));
      return found && found.expiresAt > now() ? found : null;
    },
    async takeCode(code) {
      const found = codeFromJson(await redis.getdel(key.code(code)));
      return found && found.expiresAt > now() ? found : null;
    },
    async countTry(kind, id, windowMs) {
      const name = key.tries(kind, id);
      const [count, , ttl] = (await run(redis.multi().incr(name).pexpire(name, windowMs, 'NX').pttl(name))).map(Number);
      if (count === undefined || ttl === undefined) throw new Error('Redis answered a try count without its replies');
      return { count, resetInMs: ttl > 0 ? ttl : windowMs };
    },
    async refundTry(kind, id) {
      await redis.eval(REFUND, 1, key.tries(kind, id));
    },
  };
}
