import type { RedisClient } from '../redis-connection.ts';

/** The conversation store's Lua scripts (redis-store.ts), each one atomic step on Redis. */

/** Lua: the answer of a hash value `<expires ms>|<answer>` still live at `now`, else nil. */
const LIVE = `
local function live(value, now)
  if not value then return nil end
  local expires = string.match(value, '^(%d+)|')
  if not expires or tonumber(expires) <= now then return nil end
  return string.sub(value, #expires + 2)
end
`;

/**
 * Compare-and-set save: the snapshot, its version, the log and transcript appends, the recency index
 * and the watcher schedule change together or not at all. Every check (key types, claim, version)
 * comes before the first write, so an error can never leave half a commit behind.
 * KEYS: conv hash, events list, transcript list, conversations zset, checks zset (the shard's in the
 *       sharded layout: every key in one slot), message-id key (the claim), the answered-ids hash, the
 *       replies hash
 * ARGV: expected version, snapshot, meta, ttl s, now ms, id, checkAt|'' , transcript limit, event limit,
 *       message answer|'', message ttl ms, claim token, event count, the answer kept for less | '',
 *       its ttl ms, the id's field, events…, transcript entries…
 * The answer goes into the answered-ids hash (`<expires ms>|<answer>`) and the claim key is deleted;
 * with an answer kept for less (ARGV[14]), the id keeps the lasting part (ARGV[10]) and the replies
 * hash the whole answer for ARGV[15] ms. Each hash expires with its latest field; a commit prunes a
 * few expired fields of each (bounded work).
 * Returns the new version, -1 on a version conflict, -2 when the message id is held by another claim
 * or answered (an expired or released claim is free), -3 when a key holds another type than this
 * layout writes there.
 */
const COMMIT = `${LIVE}
local types = { 'hash', 'list', 'list', 'zset', 'zset', 'string', 'hash', 'hash' }
local dedup = ARGV[10] ~= ''
for i = 1, 8 do
  if i <= 5 or dedup then
    local found = redis.call('TYPE', KEYS[i]).ok
    if found ~= 'none' and found ~= types[i] then return -3 end
  end
end
local now = tonumber(ARGV[5])
if dedup then
  local held = redis.call('GET', KEYS[6])
  if held and held ~= ('pending:' .. ARGV[12]) and string.sub(held, 1, 9) ~= 'released:' then return -2 end
  if live(redis.call('HGET', KEYS[7], ARGV[16]), now) then return -2 end
end
local raw = redis.call('HGET', KEYS[1], 'v')
local current = raw and tonumber(raw) or 0
if current ~= tonumber(ARGV[1]) then return -1 end
local version = current + 1
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'v', version, 'snap', ARGV[2], 'meta', ARGV[3])
-- A hash that once held a value over hash-max-listpack-value (default 64 bytes) stays a hashtable
-- (~520 bytes instead of ~200): written anew once its values fit again (an idle conversation's do).
if #ARGV[2] <= 64 and #ARGV[3] <= 64 and redis.call('OBJECT', 'ENCODING', KEYS[1]) == 'hashtable'
  and redis.call('HLEN', KEYS[1]) == 3 then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'v', version, 'snap', ARGV[2], 'meta', ARGV[3])
end
redis.call('EXPIRE', KEYS[1], ttl)
local eventCount = tonumber(ARGV[13])
for i = 17, 16 + eventCount do redis.call('RPUSH', KEYS[2], ARGV[i]) end
for i = 17 + eventCount, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
local function keep(hash, value, ms)
  redis.call('HSET', hash, ARGV[16], (now + ms) .. '|' .. value)
  if redis.call('PTTL', hash) < ms then redis.call('PEXPIRE', hash, ms) end
  if redis.call('HLEN', hash) > 8 then
    local sample = redis.call('HRANDFIELD', hash, 4, 'WITHVALUES')
    for i = 1, #sample, 2 do
      if not live(sample[i + 1], now) then redis.call('HDEL', hash, sample[i]) end
    end
  end
end
if dedup then
  redis.call('DEL', KEYS[6])
  keep(KEYS[7], ARGV[10], tonumber(ARGV[11]))
  if ARGV[14] ~= '' then keep(KEYS[8], ARGV[14], tonumber(ARGV[15])) end
end
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[9]), -1)
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[8]), -1)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
redis.call('ZADD', KEYS[4], now, ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. (now - ttl * 1000))
if ARGV[7] == '' then redis.call('ZREM', KEYS[5], ARGV[6]) else redis.call('ZADD', KEYS[5], ARGV[7], ARGV[6]) end
return version
`;

/**
 * KEYS: message-id key (the claim), the same id's key in the earlier layout (or the first key again),
 * the id's answer key (written by the previous code), the answered-ids hash, the replies hash.
 * ARGV: the new claim (`pending:<token>`), lease ms, conversation id, the id's field, now ms.
 * Returns the value found (a live claim or an answer: the whole one while it is kept), or ARGV[1]
 * when this call claimed the id; a released claim (`released:<token>`) is free. Atomic: no other
 * claim lands between the look and the SET.
 * The previous code kept answers under the claim key (the whole one under the answer key): honoured
 * until they expire (DEDUP_TTL_SECONDS after the upgrade). The earlier layout (`msg:<conversation>:<id>`)
 * was ambiguous: an answer found there counts only if it is this conversation's. Remove that part
 * once DEDUP_TTL_SECONDS has passed since the upgrade.
 */
const CLAIM = `${LIVE}
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, 8) == 'pending:' then return held end
if held and string.sub(held, 1, 9) ~= 'released:' then return redis.call('GET', KEYS[3]) or held end
local now = tonumber(ARGV[5])
local answer = live(redis.call('HGET', KEYS[4], ARGV[4]), now)
if answer then return live(redis.call('HGET', KEYS[5], ARGV[4]), now) or answer end
if KEYS[2] ~= KEYS[1] and redis.call('TYPE', KEYS[2]).ok == 'string' then
  local old = redis.call('GET', KEYS[2])
  if string.sub(old, 1, 8) == 'pending:' then return old end
  local ok, decoded = pcall(cjson.decode, old)
  if ok and type(decoded) == 'table' and decoded.conversationId == ARGV[3] then return old end
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
 * KEYS: message-id key, the answered-ids hash. ARGV: the holder's value, lease ms, the id's field,
 * now ms. Extends the claim while it is that holder's. A late renewal, after the claim expired and
 * nobody took it (no key at all, no answer), claims it again. Answered, released or taken over: 0.
 */
const RENEW = `${LIVE}
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if held or live(redis.call('HGET', KEYS[2], ARGV[3]), tonumber(ARGV[4])) then return 0 end
if redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]), 'NX') then return 1 end
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
    redis.defineCommand('omnibotCommit', { numberOfKeys: 8, lua: COMMIT });
    redis.defineCommand('omnibotClaimDue', { numberOfKeys: 1, lua: CLAIM_DUE });
    redis.defineCommand('omnibotClaim', { numberOfKeys: 5, lua: CLAIM });
    redis.defineCommand('omnibotRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('omnibotRenew', { numberOfKeys: 2, lua: RENEW });
    redis.defineCommand('omnibotReadList', { numberOfKeys: 2, lua: READ_LIST });
  }
  return scripted;
}
