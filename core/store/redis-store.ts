import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TranscriptEntry } from '../runtime/types.ts';
import type { StoreLimits } from './memory-store.ts';
import {
  ClaimLostError,
  type CommitChanges,
  type ConversationStore,
  type EventLogEntry,
  type MessageClaim,
  type StoredConversation,
  StoreKeyTypeError,
} from './types.ts';

/**
 * Compare-and-set save: the snapshot, its version, the log and transcript appends, the recency index
 * and the watcher schedule change together or not at all. Every check (key types, claim, version)
 * comes before the first write, so an error can never leave half a commit behind.
 * KEYS: conv hash, events list, transcript list, conversations zset, checks zset, message-id key
 * ARGV: expected version, snapshot, meta, ttl s, now ms, id, checkAt|'' , transcript limit, event limit,
 *       message answer|'', message ttl ms, claim token, event count, events…, transcript entries…
 * Returns the new version, -1 on a version conflict, -2 when the message id is held by another claim,
 * -3 when a key holds another type than this layout writes there.
 */
const COMMIT = `
local types = { 'hash', 'list', 'list', 'zset', 'zset', 'string' }
local checked = ARGV[10] ~= '' and 6 or 5
for i = 1, checked do
  local found = redis.call('TYPE', KEYS[i]).ok
  if found ~= 'none' and found ~= types[i] then return -3 end
end
if ARGV[10] ~= '' then
  local held = redis.call('GET', KEYS[6])
  if held and held ~= ('pending:' .. ARGV[12]) then return -2 end
end
local raw = redis.call('HGET', KEYS[1], 'v')
local current = raw and tonumber(raw) or 0
if current ~= tonumber(ARGV[1]) then return -1 end
local version = current + 1
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'v', version, 'snap', ARGV[2], 'meta', ARGV[3])
redis.call('EXPIRE', KEYS[1], ttl)
local eventCount = tonumber(ARGV[13])
for i = 14, 13 + eventCount do redis.call('RPUSH', KEYS[2], ARGV[i]) end
for i = 14 + eventCount, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
if ARGV[10] ~= '' then redis.call('SET', KEYS[6], ARGV[10], 'PX', tonumber(ARGV[11])) end
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[9]), -1)
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[8]), -1)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
local now = tonumber(ARGV[5])
redis.call('ZADD', KEYS[4], now, ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. (now - ttl * 1000))
if ARGV[7] == '' then redis.call('ZREM', KEYS[5], ARGV[6]) else redis.call('ZADD', KEYS[5], ARGV[7], ARGV[6]) end
return version
`;

/** KEYS: message-id key. ARGV: the holder's value. Deletes it only if it is still that holder's. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: message-id key. ARGV: the holder's value, lease ms. Extends the claim only if it is still that holder's. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/** KEYS: checks zset. ARGV: now ms, lease ms, limit. Due ids are pushed ahead by the lease, atomically. */
const CLAIM_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local next = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], next, id) end
return due
`;

type RedisWithScripts = Redis & {
  omnibotCommit(...args: (string | number)[]): Promise<number>;
  omnibotClaimDue(...args: (string | number)[]): Promise<string[]>;
  omnibotRelease(...args: (string | number)[]): Promise<number>;
  omnibotRenew(...args: (string | number)[]): Promise<number>;
};

export interface RedisStoreOptions extends StoreLimits {
  redis: Redis;
  prefix: string;
  conversationTtlSeconds: number;
}

export function createRedisStore(options: RedisStoreOptions): ConversationStore {
  const { prefix, conversationTtlSeconds } = options;
  const redis = options.redis as RedisWithScripts;
  if (typeof (redis as Partial<RedisWithScripts>).omnibotRenew !== 'function') {
    redis.defineCommand('omnibotCommit', { numberOfKeys: 6, lua: COMMIT });
    redis.defineCommand('omnibotClaimDue', { numberOfKeys: 1, lua: CLAIM_DUE });
    redis.defineCommand('omnibotRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('omnibotRenew', { numberOfKeys: 1, lua: RENEW });
  }
  // A fixed word before the id and the id last: whatever an id contains (`:` included), it cannot
  // name a key of another conversation or of another kind. The hash stays where earlier versions
  // kept it, so stored conversations stay readable; their older lists (`conv:<id>:events`) are no
  // longer read and expire with their TTL.
  const key = {
    conversation: (id: string) => `${prefix}conv:${id}`,
    events: (id: string) => `${prefix}conv-events:${id}`,
    transcript: (id: string) => `${prefix}conv-transcript:${id}`,
    index: `${prefix}conversations`,
    checks: `${prefix}checks`,
    message: (k: string) => `${prefix}msg:${k}`,
  };
  const readList = async <T>(listKey: string, limit?: number): Promise<T[]> => {
    const raw = await redis.lrange(listKey, limit === undefined ? 0 : -limit, -1);
    return raw.map((line) => JSON.parse(line) as T);
  };

  return {
    async load(id): Promise<StoredConversation | null> {
      const [version, snapshot, meta] = await redis.hmget(key.conversation(id), 'v', 'snap', 'meta').catch((error) => {
        // A list of the earlier layout (`conv:<other id>:events`) where this id's hash would be.
        throw String(error?.message).startsWith('WRONGTYPE') ? new StoreKeyTypeError(id) : error;
      });
      if (!version || !snapshot || !meta) return null;
      return { version: Number(version), snapshot: JSON.parse(snapshot), meta: JSON.parse(meta) };
    },
    async commit(id, expectedVersion, changes: CommitChanges) {
      const result = await redis.omnibotCommit(
        key.conversation(id),
        key.events(id),
        key.transcript(id),
        key.index,
        key.checks,
        changes.dedup ? key.message(changes.dedup.key) : key.message('-'),
        expectedVersion,
        JSON.stringify(changes.snapshot),
        JSON.stringify(changes.meta),
        conversationTtlSeconds,
        Date.now(),
        id,
        changes.checkAt === null ? '' : Math.ceil(changes.checkAt),
        options.transcriptLimit,
        options.eventLimit,
        changes.dedup ? JSON.stringify(changes.dedup.result) : '',
        changes.dedup?.ttlMs ?? 0,
        changes.dedup?.token ?? '',
        changes.events.length,
        ...changes.events.map((e) => JSON.stringify(e)),
        ...changes.transcript.map((t) => JSON.stringify(t)),
      );
      if (result === -3) throw new StoreKeyTypeError(id);
      if (result === -2) throw new ClaimLostError(changes.dedup!.key);
      return result === -1 ? null : result;
    },
    readEvents: (id, limit) => readList<EventLogEntry>(key.events(id), limit),
    readTranscript: (id, limit) => readList<TranscriptEntry>(key.transcript(id), limit),
    async appendEvent(id, entry) {
      await redis
        .multi()
        .rpush(key.events(id), JSON.stringify(entry))
        .ltrim(key.events(id), -options.eventLimit, -1)
        .expire(key.events(id), conversationTtlSeconds)
        .exec();
    },
    async claimMessage(k, leaseMs): Promise<MessageClaim> {
      // A claim that expires between SET NX and GET is claimed again (the loop runs at most twice in practice).
      for (;;) {
        const token = randomUUID();
        const claimed = await redis.set(key.message(k), `pending:${token}`, 'PX', leaseMs, 'NX');
        if (claimed === 'OK') return { state: 'claimed', token };
        const value = await redis.get(key.message(k));
        if (value === null) continue;
        return value.startsWith('pending:') ? { state: 'pending' } : { state: 'done', result: JSON.parse(value) };
      }
    },
    async renewMessage(k, token, leaseMs) {
      return (await redis.omnibotRenew(key.message(k), `pending:${token}`, leaseMs)) === 1;
    },
    async releaseMessage(k, token) {
      await redis.omnibotRelease(key.message(k), `pending:${token}`);
    },
    async claimDueChecks(now, leaseMs, limit) {
      return redis.omnibotClaimDue(key.checks, now, leaseMs, limit);
    },
    async clearCheck(id) {
      await redis.zrem(key.checks, id);
    },
    async listConversations(offset, limit) {
      const [total, ids] = await Promise.all([
        redis.zcard(key.index),
        redis.zrevrange(key.index, offset, offset + limit - 1),
      ]);
      return { total, ids };
    },
    async ping() {
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
