import type { RedisClient } from '../redis-connection.ts';
import { scanKeys } from '../redis-scan.ts';
import type { ConversationKeys } from './redis-layout.ts';
import { MESSAGE_KINDS, messageKeyPrefix } from './types.ts';

/**
 * Erases a conversation in one step: a commit racing with it either lands before (and is erased) or
 * finds no version any more (a conflict: its turn starts over on a fresh conversation).
 * KEYS: conv hash, events list, transcript list, conversations zset, checks zset, the earlier
 * layout's events and transcript lists (`conv:<id>:events|transcript`; the sharded layout passes the
 * lists again, deleted by then), the answered-ids hash, the replies hash. ARGV: the id, then the
 * fields of the answers to keep (they stay, with their hash's expiry).
 * Only what this layout writes there is removed: a list at `conv:<id>` is the earlier layout's list
 * of another conversation (`<id>` = `<other>:events`), and a hash at `conv:<id>:events` is the
 * conversation `<id>:events`; both stay.
 */
const ERASE = `
if redis.call('TYPE', KEYS[1]).ok == 'hash' then redis.call('DEL', KEYS[1]) end
redis.call('DEL', KEYS[2], KEYS[3])
for i = 6, 7 do
  if redis.call('TYPE', KEYS[i]).ok == 'list' then redis.call('DEL', KEYS[i]) end
end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
for i = 8, 9 do
  local kept = {}
  for j = 2, #ARGV do
    local value = redis.call('HGET', KEYS[i], ARGV[j])
    if value then kept[#kept + 1] = ARGV[j]; kept[#kept + 1] = value end
  end
  local ttl = redis.call('PTTL', KEYS[i])
  redis.call('DEL', KEYS[i])
  if #kept > 0 then
    redis.call('HSET', KEYS[i], unpack(kept))
    if ttl > 0 then redis.call('PEXPIRE', KEYS[i], ttl) end
  end
end
return 1
`;

/**
 * KEYS: message-id keys, then as many answer keys (the same ids'). Deletes the answers among them
 * (with the whole answer kept beside; written by the previous code); a live claim (`pending:`) stays.
 */
const DROP_ANSWERS = `
local dropped = 0
local count = #KEYS / 2
for i = 1, count do
  local key = KEYS[i]
  if redis.call('TYPE', key).ok == 'string' and string.sub(redis.call('GET', key), 1, 8) ~= 'pending:' then
    dropped = dropped + redis.call('DEL', key, KEYS[count + i])
  end
end
return dropped
`;

type RedisWithErase = RedisClient & {
  omnibotErase(...args: (string | number)[]): Promise<number>;
  omnibotDropAnswers(...args: string[]): Promise<number>;
};

/** The conversation's keys (its answered-ids and replies hashes included), and where its message ids live. */
export interface EraseKeys
  extends Pick<
    ConversationKeys,
    | 'conversation'
    | 'events'
    | 'transcript'
    | 'index'
    | 'checks'
    | 'legacyEvents'
    | 'legacyTranscript'
    | 'answered'
    | 'replies'
  > {
  /** Their fields to keep (the `keep` ids'). */
  fields: readonly string[];
  /** Where the conversation's message ids live: `<prefix>msg:` (sharded: `<prefix>msg:{s<n>}:`). */
  messages: string;
  /** Where the whole answers kept beside them live: `<prefix>answer:` (sharded: `<prefix>answer:{s<n>}:`). */
  answers: string;
}

/** A glob pattern matching `text` literally. */
const literal = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Defines the erase scripts on a client. Called when the store is created, never lazily: with
 * auto-pipelining a command defined while a pipeline is queued fails and shifts the replies of the
 * commands queued after it.
 */
export function defineEraseCommands(client: RedisClient): void {
  const redis = client as RedisWithErase;
  if (typeof redis.omnibotDropAnswers === 'function') return;
  redis.defineCommand('omnibotErase', { numberOfKeys: 9, lua: ERASE });
  redis.defineCommand('omnibotDropAnswers', { lua: DROP_ANSWERS });
}

/**
 * The conversation's keys at once (atomic, its answered ids included), then the answers the previous
 * code kept under its message ids (a scan),
 * but those of `keep` (message-id keys, without the prefix). The scan covers every master of a cluster.
 */
export async function eraseConversation(
  client: RedisClient,
  id: string,
  keep: readonly string[],
  keys: EraseKeys,
): Promise<void> {
  const redis = client as RedisWithErase;
  const { conversation, events, transcript, index, checks, legacyEvents, legacyTranscript } = keys;
  const lists = [conversation, events, transcript, index, checks, legacyEvents, legacyTranscript];
  await redis.omnibotErase(...lists, keys.answered, keys.replies, id, ...keys.fields);
  const kept = new Set(keep.map((key) => keys.messages + key));
  for (const kind of MESSAGE_KINDS) {
    const match = `${literal(keys.messages + messageKeyPrefix(kind, id))}*`;
    for await (const scanned of scanKeys(client, match)) {
      const found = scanned.filter((key) => !kept.has(key));
      const answers = found.map((key) => keys.answers + key.slice(keys.messages.length));
      // numberOfKeys is given per call: ioredis takes it as the first argument when not defined.
      if (found.length) await redis.omnibotDropAnswers(String(found.length * 2), ...found, ...answers);
    }
  }
}
