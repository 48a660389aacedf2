import { randomUUID } from 'node:crypto';
import { pingAll, type RedisClient } from '../redis-connection.ts';
import type { TranscriptEntry } from '../runtime/types.ts';
import { answerRefs, decodeAnswer, storedAnswerParts } from './answer-codec.ts';
import { decodeMeta, decodeSnapshot, encodeMeta, encodeSnapshot } from './conversation-codec.ts';
import { decodeEvent, decodeTranscript, encodeEvent, encodeTranscript, lineRefs } from './entry-codec.ts';
import type { StoreLimits } from './memory-store.ts';
import { defineEraseCommands, eraseConversation } from './redis-erase.ts';
import { indexReaders } from './redis-indexes.ts';
import { answerField, type StoreLayout, storeKeys } from './redis-layout.ts';
import { defineStoreCommands } from './redis-scripts.ts';
import { createReplyTexts, lookupReplyTexts, type ReplyTexts } from './reply-texts.ts';
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

export { legacyMessageKey } from './redis-layout.ts';

export interface RedisStoreOptions extends StoreLimits {
  redis: RedisClient;
  prefix: string;
  conversationTtlSeconds: number;
  /** The key layout (redis-layout.ts): 'sharded' on a Redis Cluster. Default 'classic'. */
  layout?: StoreLayout;
  /** The fixed reply texts transcript lines refer to (reply-texts.ts); without, texts are stored whole. */
  replyTexts?: ReplyTexts;
}

export function createRedisStore(options: RedisStoreOptions): ConversationStore {
  const { prefix, conversationTtlSeconds } = options;
  const redis = defineStoreCommands(options.redis);
  defineEraseCommands(redis);
  const keys = storeKeys(prefix, options.layout ?? 'classic');
  const indexes = indexReaders(redis, keys.indexes, keys.checks);
  const readList = (listKey: string, legacyKey: string, limit: number): Promise<string[]> =>
    redis.omnibotReadList(listKey, legacyKey, Math.max(1, limit));
  // Without the texts of this code, none is stored by reference; references are still read.
  const texts = options.replyTexts ?? createReplyTexts();

  return {
    async load(id): Promise<StoredConversation | null> {
      const { conversation } = keys.of(id);
      const [version, snapshot, meta] = await redis.hmget(conversation, 'v', 'snap', 'meta').catch((error) => {
        // A list of the earlier layout (`conv:<other id>:events`) where this id's hash would be.
        throw String(error?.message).startsWith('WRONGTYPE') ? new StoreKeyTypeError(id) : error;
      });
      if (!version || !snapshot || !meta) return null;
      return { version: Number(version), snapshot: decodeSnapshot(snapshot, id), meta: decodeMeta(meta, id) };
    },
    async commit(id, expectedVersion, changes: CommitChanges) {
      const { dedup } = changes;
      // The lasting part under the id for the whole time, the whole answer beside it for less.
      const answer = dedup && storedAnswerParts(dedup, texts);
      const key = keys.of(id);
      const result = await redis.omnibotCommit(
        key.conversation,
        key.events,
        key.transcript,
        key.index,
        key.checks,
        dedup ? key.message(dedup.key) : key.message('-'),
        key.answered,
        key.replies,
        expectedVersion,
        encodeSnapshot(changes.snapshot, id),
        encodeMeta(changes.meta, id),
        conversationTtlSeconds,
        Date.now(),
        id,
        changes.checkAt === null ? '' : Math.ceil(changes.checkAt),
        options.transcriptLimit,
        options.eventLimit,
        answer?.lasting ?? '',
        dedup?.ttlMs ?? 0,
        dedup?.token ?? '',
        changes.events.length,
        answer?.whole?.answer ?? '',
        answer?.whole?.forMs ?? 0,
        dedup ? answerField(id, dedup.key) : '',
        ...changes.events.map((e) => encodeEvent(e, id)),
        ...changes.transcript.map((t) => encodeTranscript(t, id, texts)),
      );
      if (result === -3) throw new StoreKeyTypeError(id);
      if (result === -2) throw new ClaimLostError(dedup!.key);
      return result === -1 ? null : result;
    },
    async readEvents(id, limit): Promise<EventLogEntry[]> {
      const key = keys.of(id);
      const lines = await readList(key.events, key.legacyEvents, limit ?? options.eventLimit);
      return lines.map((line) => decodeEvent(line, id));
    },
    async readTranscript(id, limit): Promise<TranscriptEntry[]> {
      const key = keys.of(id);
      const lines = await readList(key.transcript, key.legacyTranscript, limit ?? options.transcriptLimit);
      // Texts another version referred to, from the global hash (its own key: never in the read script).
      const refs = lines.flatMap(lineRefs);
      if (refs.length > 0) await lookupReplyTexts(redis, prefix, texts, refs);
      return lines.map((line) => decodeTranscript(line, id, texts));
    },
    async appendEvent(id, entry) {
      const { events } = keys.of(id);
      await redis
        .multi()
        .rpush(events, encodeEvent(entry, id))
        .ltrim(events, -options.eventLimit, -1)
        .expire(events, conversationTtlSeconds)
        .exec();
    },
    async claimMessage(id, k, leaseMs): Promise<MessageClaim> {
      const token = randomUUID();
      const claim = `pending:${token}`;
      const key = keys.of(id);
      const legacy = key.legacyMessage(k);
      const value = await redis.omnibotClaim(
        key.message(k),
        legacy.key,
        key.answer(k),
        key.answered,
        key.replies,
        claim,
        leaseMs,
        legacy.conversationId,
        answerField(id, k),
        Date.now(),
      );
      if (value === claim) return { state: 'claimed', token };
      if (value.startsWith('pending:')) return { state: 'pending' };
      // Texts another version referred to, from the global hash (its own key: never in the claim script).
      const refs = answerRefs(value);
      if (refs.length > 0) await lookupReplyTexts(redis, prefix, texts, refs);
      return { state: 'done', result: decodeAnswer(value, texts) };
    },
    async renewMessage(id, k, token, leaseMs) {
      const key = keys.of(id);
      const renewed = await redis.omnibotRenew(
        key.message(k),
        key.answered,
        `pending:${token}`,
        leaseMs,
        answerField(id, k),
        Date.now(),
      );
      return renewed === 1;
    },
    async releaseMessage(id, k, token) {
      const key = keys.of(id).message(k);
      await redis.omnibotRelease(key, `pending:${token}`, `released:${token}`, RELEASED_TTL_MS);
    },
    claimDueChecks: (now, leaseMs, limit) => indexes.claimDueChecks(now, leaseMs, limit),
    async clearCheck(id) {
      await redis.zrem(keys.of(id).checks, id);
    },
    listConversations: (offset, limit) => indexes.listConversations(offset, limit),
    erase: (id, keep) => {
      const key = keys.of(id);
      return eraseConversation(redis, id, keep ?? [], {
        ...key,
        messages: key.message(''),
        answers: key.answer(''),
        fields: (keep ?? []).map((k) => answerField(id, k)),
      });
    },
    async ping() {
      try {
        // On a cluster every master: one down means a share of the conversations unreachable.
        await pingAll(redis);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
