import { SHARD_COUNT, shardOf, shardTag } from '../redis-keys.ts';
import { MESSAGE_KINDS, messageKeyPrefix } from './types.ts';

/**
 * Where the Redis store keeps things. `classic` (one Redis): the keys as they always were, byte for
 * byte. `sharded` (Redis Cluster; runs on one Redis too): every key of a conversation, and its shard's
 * recency index and checks zset, carry the shard's hash tag (`{s<n>}`, core/redis-keys.ts), so that
 * commit, claim and erase stay one atomic script each.
 */
export type StoreLayout = 'classic' | 'sharded';

/** One conversation's keys (in the sharded layout, all in one slot). */
export interface ConversationKeys {
  conversation: string;
  events: string;
  transcript: string;
  /** The recency index and the checks zset holding this conversation. */
  index: string;
  checks: string;
  /** The earlier layout's lists (`conv:<id>:events|transcript`); sharded: the lists again (no earlier). */
  legacyEvents: string;
  legacyTranscript: string;
  /** A message id's key (`k` as the runtime builds it: `in:<n>:<conversation>:<id>`…). */
  message(k: string): string;
  /** The whole answer the previous code kept beside a message id for less time (read until it expires). */
  answer(k: string): string;
  /** The hash of the conversation's answered message ids (field: `answerField`, value `<expires ms>|<answer>`). */
  answered: string;
  /** The hash of the whole answers kept for less time (`dedup.lasting`; value `<until ms>|<answer>`). */
  replies: string;
  /**
   * The same message id's key in the earlier layout and the conversation it names ('' when none);
   * sharded: the key itself (the CLAIM script then skips it).
   */
  legacyMessage(k: string): { key: string; conversationId: string };
}

export interface StoreKeys {
  of(conversationId: string): ConversationKeys;
  /** Every recency index and every checks zset: one each (classic) or one per shard. */
  indexes: readonly string[];
  checks: readonly string[];
}

/**
 * The key of a message id in the earlier layout: `in:<n>:<conversation>:<id>` was
 * `<conversation>:<id>`, `workflow:<n>:<conversation>:<run>` was `workflow:<conversation>:<run>`.
 */
export function legacyMessageKey(key: string): { conversationId: string; key: string } | undefined {
  const match = /^(in|workflow):(\d+):/.exec(key);
  if (!match) return undefined;
  const start = match[0].length;
  const conversationId = key.slice(start, start + Number(match[2]));
  const id = key.slice(start + conversationId.length + 1);
  return { conversationId, key: `${match[1] === 'workflow' ? 'workflow:' : ''}${conversationId}:${id}` };
}

/**
 * A fixed word before the id and the id last: whatever an id contains (`:`, braces included), it
 * cannot name a key of another conversation or of another kind. Classic: the hash stays where earlier
 * versions kept it, so stored conversations stay readable; their older lists and message ids are still
 * read until they expire (READ_LIST, CLAIM).
 */
export function storeKeys(prefix: string, layout: StoreLayout): StoreKeys {
  if (layout === 'sharded') {
    const index = (tag: string) => `${prefix}conversations${tag}`;
    const checks = (tag: string) => `${prefix}checks${tag}`;
    const tags = Array.from({ length: SHARD_COUNT }, (_, shard) => shardTag(shard));
    return {
      of(id) {
        const tag = shardTag(shardOf(id));
        const events = `${prefix}conv-events:${tag}:${id}`;
        const transcript = `${prefix}conv-transcript:${tag}:${id}`;
        const message = (k: string) => `${prefix}msg:${tag}:${k}`;
        return {
          conversation: `${prefix}conv:${tag}:${id}`,
          events,
          transcript,
          index: index(tag),
          checks: checks(tag),
          legacyEvents: events,
          legacyTranscript: transcript,
          message,
          answer: (k) => `${prefix}answer:${tag}:${k}`,
          answered: `${prefix}conv-answered:${tag}:${id}`,
          replies: `${prefix}conv-replies:${tag}:${id}`,
          legacyMessage: (k) => ({ key: message(k), conversationId: '' }),
        };
      },
      indexes: tags.map(index),
      checks: tags.map(checks),
    };
  }
  const message = (k: string) => `${prefix}msg:${k}`;
  return {
    of: (id) => ({
      conversation: `${prefix}conv:${id}`,
      events: `${prefix}conv-events:${id}`,
      transcript: `${prefix}conv-transcript:${id}`,
      index: `${prefix}conversations`,
      checks: `${prefix}checks`,
      legacyEvents: `${prefix}conv:${id}:events`,
      legacyTranscript: `${prefix}conv:${id}:transcript`,
      message,
      answer: (k) => `${prefix}answer:${k}`,
      answered: `${prefix}conv-answered:${id}`,
      replies: `${prefix}conv-replies:${id}`,
      legacyMessage(k) {
        const legacy = legacyMessageKey(k);
        return legacy
          ? { key: message(legacy.key), conversationId: legacy.conversationId }
          : { key: message(k), conversationId: '' };
      },
    }),
    indexes: [`${prefix}conversations`],
    checks: [`${prefix}checks`],
  };
}

/**
 * A message id's field in its conversation's `answered`/`replies` hashes: the key without the
 * conversation (the hash names it), `<kind>:<id>`; a key naming no kind of this conversation stays
 * whole behind `=` (no `<kind>:` field starts so).
 */
export function answerField(conversationId: string, k: string): string {
  for (const kind of MESSAGE_KINDS) {
    const start = messageKeyPrefix(kind, conversationId);
    if (k.startsWith(start)) return `${kind}:${k.slice(start.length)}`;
  }
  return `=${k}`;
}
