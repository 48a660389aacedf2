import type { RedisClient } from '../redis-connection.ts';

/** The conversation store's Lua scripts (redis-store.ts), each one atomic step on Redis. */

/**
 * Compare-and-set save: the snapshot, its version, the log and transcript appends, the recency index
 * and the watcher schedule change together or not at all. Every check (key types, claim, version)
 * comes before the first write, so an error can never leave half a commit behind.
 * KEYS: conv hash, events list, transcript list, conversations zset, checks zset (the shard's in the
 *       sharded layout: every key in one slot), message-id key, the id's answer key
 * ARGV: expected version, snapshot, meta, ttl s, now ms, id, checkAt|'' , transcript limit, event limit,
 *       message answer|'', message ttl ms, claim token, event count, the answer kept for less | '',
 *       its ttl ms, events…, transcript entries…
 * With an answer kept for less (ARGV[14]), the id keeps the lasting part (ARGV[10]) for the whole
 * time and the answer key the whole answer for ARGV[15] ms.
 * Returns the new version, -1 on a version conflict, -2 when the message id is held by another claim
 * or answered (an expired or released claim is free), -3 when a key holds another type than this
 * layout writes there.
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
  if held and held ~= ('pending:' .. ARGV[12]) and string.sub(held, 1, 9) ~= 'released:' then return -2 end
end
local raw = redis.call('HGET', KEYS[1], 'v')
local current = raw and tonumber(raw) or 0
if current ~= tonumber(ARGV[1]) then return -1 end
local version = current + 1
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'v', version, 'snap', ARGV[2], 'meta', ARGV[3])
redis.call('EXPIRE', KEYS[1], ttl)
local eventCount = tonumber(ARGV[13])
for i = 16, 15 + eventCount do redis.call('RPUSH', KEYS[2], ARGV[i]) end
for i = 16 + eventCount, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
if ARGV[10] ~= '' then redis.call('SET', KEYS[6], ARGV[10], 'PX', tonumber(ARGV[11])) end
if ARGV[14] ~= '' then redis.call('SET', KEYS[7], ARGV[14], 'PX', tonumber(ARGV[15])) end
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

/**
 * KEYS: message-id key, the same id's key in the earlier layout (or the first key again), the id's
 * answer key.
 * ARGV: the new claim (`pending:<token>`), lease ms, conversation id.
 * Returns the value found (a live claim or an answer: the whole one while the answer key keeps it),
 * or ARGV[1] when this call claimed the id; a released claim (`released:<token>`) is free. Atomic: no other claim lands between the look and the SET.
 * The earlier layout (`msg:<conversation>:<id>`) was ambiguous: an answer found there counts only if
 * it is this conversation's. Remove that part once DEDUP_TTL_SECONDS has passed since the upgrade.
 */
const CLAIM = `
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, 8) == 'pending:' then return held end
if held and string.sub(held, 1, 9) ~= 'released:' then return redis.call('GET', KEYS[3]) or held end
if KEYS[2] ~= KEYS[1] and redis.call('TYPE', KEYS[2]).ok == 'string' then
  local old = redis.call('GET', KEYS[2])
  if string.sub(old, 1, 8) == 'pending:' then return old end
  local ok, answer = pcall(cjson.decode, old)
  if ok and type(answer) == 'table' and answer.conversationId == ARGV[3] then return old end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
return ARGV[1]
`;

/**
 * KEYS: message-id key. ARGV: the holder's value, its tombstone (`released:<token>`), tombstone ttl ms.
 * Replaces the claim with the tombstone only if it is still that holder's: a renewal still on its way
 * finds the tombstone and cannot bring the claim back; the next claim overwrites it.
 */
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', tonumber(ARGV[3]))
return 1
`;

/**
 * KEYS: message-id key. ARGV: the holder's value, lease ms. Extends the claim while it is that
 * holder's. A late renewal, after the claim expired and nobody took it (no key at all), claims it
 * again. Answered, released or taken over: 0.
 */
const RENEW = `
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if not held and redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]), 'NX') then return 1 end
return 0
`;

/**
 * KEYS: a list, the same list in the earlier layout (`conv:<id>:events|transcript`; the sharded layout,
 * with no earlier one, passes the list again: read once). ARGV: how many of the newest entries. The
 * earlier list is older, so it comes first; it is read only while it is a list: under the earlier
 * layout a list there can only be `<id>`'s (a hash there is the conversation whose id ends in
 * `:events`). Its entries expire with it (CONVERSATION_TTL_SECONDS after the upgrade
 * at most); remove the fallback after that.
 */
const READ_LIST = `
local limit = tonumber(ARGV[1])
local newer = redis.call('LRANGE', KEYS[1], -limit, -1)
if KEYS[2] == KEYS[1] then return newer end
if #newer >= limit or redis.call('TYPE', KEYS[2]).ok ~= 'list' then return newer end
local entries = redis.call('LRANGE', KEYS[2], -(limit - #newer), -1)
for _, entry in ipairs(newer) do entries[#entries + 1] = entry end
return entries
`;

/** KEYS: checks zset. ARGV: now ms, lease ms, limit. Due ids are pushed ahead by the lease, atomically. */
const CLAIM_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local next = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], next, id) end
return due
`;

export type RedisWithScripts = RedisClient & {
  omnibotCommit(...args: (string | number)[]): Promise<number>;
  omnibotClaimDue(...args: (string | number)[]): Promise<string[]>;
  omnibotClaim(...args: (string | number)[]): Promise<string>;
  omnibotRelease(...args: (string | number)[]): Promise<number>;
  omnibotRenew(...args: (string | number)[]): Promise<number>;
  omnibotReadList(...args: (string | number)[]): Promise<string[]>;
};

/** Defines the store's scripts on a connection, once (ioredis runs each by EVALSHA, loading it when missing). */
export function defineStoreCommands(redis: RedisClient): RedisWithScripts {
  const scripted = redis as RedisWithScripts;
  if (typeof (scripted as Partial<RedisWithScripts>).omnibotReadList !== 'function') {
    redis.defineCommand('omnibotCommit', { numberOfKeys: 7, lua: COMMIT });
    redis.defineCommand('omnibotClaimDue', { numberOfKeys: 1, lua: CLAIM_DUE });
    redis.defineCommand('omnibotClaim', { numberOfKeys: 3, lua: CLAIM });
    redis.defineCommand('omnibotRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('omnibotRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('omnibotReadList', { numberOfKeys: 2, lua: READ_LIST });
  }
  return scripted;
}
