import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TranscriptEntry } from '../runtime/types.ts';
import type { StoreLimits } from './memory-store.ts';
import { defineEraseCommands, eraseConversation } from './redis-erase.ts';
import { defineStoreCommands } from './redis-scripts.ts';
import {
  ClaimLostError,
  type CommitChanges,
  type ConversationStore,
  type EventLogEntry,
  type MessageClaim,
  RELEASED_TTL_MS,
  type StoredConversation,
  StoreKeyTypeError,
} from './types.ts';

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

export interface RedisStoreOptions extends StoreLimits {
  redis: Redis;
  prefix: string;
  conversationTtlSeconds: number;
}

export function createRedisStore(options: RedisStoreOptions): ConversationStore {
  const { prefix, conversationTtlSeconds } = options;
  const redis = defineStoreCommands(options.redis);
  defineEraseCommands(redis);
  // A fixed word before the id and the id last: whatever an id contains (`:` included), it cannot
  // name a key of another conversation or of another kind. The hash stays where earlier versions
  // kept it, so stored conversations stay readable; their older lists (`conv:<id>:events`) and message
  // ids (`msg:<conversation>:<id>`) are still read until they expire (READ_LIST, CLAIM).
  const key = {
    conversation: (id: string) => `${prefix}conv:${id}`,
    events: (id: string) => `${prefix}conv-events:${id}`,
    transcript: (id: string) => `${prefix}conv-transcript:${id}`,
    index: `${prefix}conversations`,
    checks: `${prefix}checks`,
    message: (k: string) => `${prefix}msg:${k}`,
    /** A message's whole answer while it is kept for less than the id (`dedup.lasting`). */
    answer: (k: string) => `${prefix}answer:${k}`,
  };
  const legacyList = (id: string, kind: 'events' | 'transcript') => `${prefix}conv:${id}:${kind}`;
  const readList = async <T>(listKey: string, legacyKey: string, limit: number): Promise<T[]> => {
    const raw = await redis.omnibotReadList(listKey, legacyKey, Math.max(1, limit));
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
      const { dedup } = changes;
      // The lasting part under the id for the whole time, the whole answer beside it for less.
      const lasting = dedup?.lasting && dedup.lasting.afterMs < dedup.ttlMs ? dedup.lasting : undefined;
      const result = await redis.omnibotCommit(
        key.conversation(id),
        key.events(id),
        key.transcript(id),
        key.index,
        key.checks,
        dedup ? key.message(dedup.key) : key.message('-'),
        dedup ? key.answer(dedup.key) : key.answer('-'),
        expectedVersion,
        JSON.stringify(changes.snapshot),
        JSON.stringify(changes.meta),
        conversationTtlSeconds,
        Date.now(),
        id,
        changes.checkAt === null ? '' : Math.ceil(changes.checkAt),
        options.transcriptLimit,
        options.eventLimit,
        dedup ? JSON.stringify(lasting ? lasting.result : dedup.result) : '',
        dedup?.ttlMs ?? 0,
        dedup?.token ?? '',
        changes.events.length,
        lasting ? JSON.stringify(dedup!.result) : '',
        lasting?.afterMs ?? 0,
        ...changes.events.map((e) => JSON.stringify(e)),
        ...changes.transcript.map((t) => JSON.stringify(t)),
      );
      if (result === -3) throw new StoreKeyTypeError(id);
      if (result === -2) throw new ClaimLostError(dedup!.key);
      return result === -1 ? null : result;
    },
    readEvents: (id, limit) =>
      readList<EventLogEntry>(key.events(id), legacyList(id, 'events'), limit ?? options.eventLimit),
    readTranscript: (id, limit) =>
      readList<TranscriptEntry>(key.transcript(id), legacyList(id, 'transcript'), limit ?? options.transcriptLimit),
    async appendEvent(id, entry) {
      await redis
        .multi()
        .rpush(key.events(id), JSON.stringify(entry))
        .ltrim(key.events(id), -options.eventLimit, -1)
        .expire(key.events(id), conversationTtlSeconds)
        .exec();
    },
    async claimMessage(k, leaseMs): Promise<MessageClaim> {
      const token = randomUUID();
      const claim = `pending:${token}`;
      const legacy = legacyMessageKey(k);
      const value = await redis.omnibotClaim(
        key.message(k),
        legacy ? key.message(legacy.key) : key.message(k),
        key.answer(k),
        claim,
        leaseMs,
        legacy?.conversationId ?? '',
      );
      if (value === claim) return { state: 'claimed', token };
      return value.startsWith('pending:') ? { state: 'pending' } : { state: 'done', result: JSON.parse(value) };
    },
    async renewMessage(k, token, leaseMs) {
      return (await redis.omnibotRenew(key.message(k), `pending:${token}`, leaseMs)) === 1;
    },
    async releaseMessage(k, token) {
      await redis.omnibotRelease(key.message(k), `pending:${token}`, `released:${token}`, RELEASED_TTL_MS);
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
    erase: (id, keep) =>
      eraseConversation(redis, id, keep ?? [], {
        conversation: key.conversation(id),
        events: key.events(id),
        transcript: key.transcript(id),
        index: key.index,
        checks: key.checks,
        legacyEvents: legacyList(id, 'events'),
        legacyTranscript: legacyList(id, 'transcript'),
        messages: key.message(''),
        answers: key.answer(''),
      }),
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
