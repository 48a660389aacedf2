import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { TranscriptEntry } from '../runtime/types.ts';
import { decodeAnswer } from './answer-codec.ts';
import { decodeEvent, decodeTranscript, encodeEvent, encodeTranscript } from './entry-codec.ts';
import { answerAt, answerOf, type Claim, claimBytes, type Entry, entryBytes, json } from './memory-entries.ts';
import { createReplyTexts, type ReplyTexts } from './reply-texts.ts';
import {
  ClaimLostError,
  type CommitChanges,
  type ConversationStore,
  type EventLogEntry,
  MESSAGE_KINDS,
  type MessageClaim,
  messageKeyPrefix,
  RELEASED_TTL_MS,
  type StoredConversation,
} from './types.ts';

export interface StoreLimits {
  transcriptLimit: number;
  eventLimit: number;
}

export interface MemoryStoreOptions extends StoreLimits {
  /** Idle conversations are forgotten after this long (as Redis expires them). */
  conversationTtlMs?: number;
  /** How often expired conversations and message ids are swept. */
  sweepIntervalMs?: number;
  /** At most this many conversations are kept; the least recently used is forgotten first. */
  maxConversations?: number;
  /** At most this many message ids (claims and answers) are remembered; least recently used first. */
  maxMessageIds?: number;
  /** At most about this many bytes of conversations (snapshots, events, transcripts); least recently used first. */
  maxConversationBytes?: number;
  /** At most about this many bytes of message ids and their answers; least recently used first. */
  maxMessageIdBytes?: number;
  /** The fixed reply texts transcript lines refer to (reply-texts.ts); without, texts are kept whole. */
  replyTexts?: ReplyTexts;
}

/**
 * MEMORY_MAX_CONVERSATIONS / MEMORY_MAX_MESSAGE_IDS. Past the cap the least recently used entry is
 * forgotten before its TTL: a forgotten message id (a claim or an answer) makes a redelivery of that
 * message be processed again, and a forgotten conversation starts over. Redis has no such cap.
 */
export const DEFAULT_MAX_CONVERSATIONS = 10_000;
export const DEFAULT_MAX_MESSAGE_IDS = 100_000;
/**
 * MEMORY_MAX_CONVERSATIONS_MIB / MEMORY_MAX_MESSAGE_IDS_MIB: the counts alone do not bound memory (a
 * full conversation keeps 200 transcript lines and 1,000 events, hundreds of KB), so the bytes do too.
 * A message id with its answer by reference counts about 350 bytes: 16 MiB hold about 48,000, before
 * the count. Each costs the heap more than its counted bytes (its objects): with 100,000 of them the
 * long bench run's RSS grew past 350 MiB.
 */
export const DEFAULT_MAX_CONVERSATION_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_MESSAGE_ID_BYTES = 16 * 1024 * 1024;

/**
 * The embedded store: everything in this process, nothing survives a restart. Bounded: at most
 * `maxConversations` conversations and `maxMessageIds` message ids, each forgotten least recently
 * used first, and after the same TTLs Redis would apply.
 */
export function createMemoryStore(
  options: MemoryStoreOptions = { transcriptLimit: 200, eventLimit: 1000 },
): ConversationStore & { sweep(now?: number): void; readonly size: { conversations: number; messageIds: number } } {
  const limits = options;
  // Without the texts of this code, answers keep their replies whole.
  const texts = options.replyTexts ?? createReplyTexts();
  const ttlMs = options.conversationTtlMs ?? 30 * 24 * 3600_000;
  const checks = new Map<string, number>();
  const conversations = new LRUCache<string, Entry>({
    max: options.maxConversations ?? DEFAULT_MAX_CONVERSATIONS,
    maxSize: options.maxConversationBytes ?? DEFAULT_MAX_CONVERSATION_BYTES,
    sizeCalculation: entryBytes,
    // A forgotten conversation has nothing left for the watcher to check.
    dispose: (_entry, id, reason) => {
      if (reason !== 'set') checks.delete(id);
    },
  });
  const claims = new LRUCache<string, Claim>({
    max: options.maxMessageIds ?? DEFAULT_MAX_MESSAGE_IDS,
    maxSize: options.maxMessageIdBytes ?? DEFAULT_MAX_MESSAGE_ID_BYTES,
    sizeCalculation: claimBytes,
  });
  /** A changed entry counted again against the byte bound (lru-cache sizes a value only when it is a new object). */
  const recount = (id: string, entry: Entry) => conversations.set(id, { ...entry });

  /** The live entry of a conversation (marked as recently used), or undefined when absent or expired. */
  const entryOf = (id: string, now = Date.now()): Entry | undefined => {
    const entry = conversations.get(id);
    if (entry && entry.touchedAt <= now - ttlMs) {
      conversations.delete(id);
      return undefined;
    }
    return entry;
  };
  const ensure = (id: string, now: number): Entry => {
    let entry = entryOf(id, now);
    if (!entry) {
      entry = { version: 0, snapshot: '', meta: '', events: [], transcript: [], touchedAt: now };
      conversations.set(id, entry);
    }
    return entry;
  };
  const liveClaim = (key: string, now = Date.now()): Claim | undefined => {
    const claim = claims.get(key);
    if (claim && claim.expires <= now) {
      claims.delete(key);
      return undefined;
    }
    return claim;
  };
  const append = (list: string[], lines: readonly string[], limit: number) => {
    list.push(...lines);
    if (list.length > limit) list.splice(0, list.length - limit);
  };
  const tail = (list: string[] | undefined, limit?: number): string[] =>
    limit === undefined ? (list ?? []) : (list ?? []).slice(-limit);
  /**
   * Drops what Redis would have expired: answered message ids past their TTL, idle conversations; and
   * answers kept whole for less than their id (`dedup.lasting`) shrink to their lasting part.
   */
  const sweep = (now = Date.now()) => {
    for (const [key, claim] of [...claims.entries()]) {
      if (claim.expires <= now) claims.delete(key);
      else if (typeof claim.value === 'object' && claim.value.lasting && claim.value.lasting.shrinksAt <= now) {
        answerAt(claim.value, now);
        claims.set(key, { ...claim }); // counted again at its smaller size (a new object)
      }
    }
    for (const [id, entry] of [...conversations.entries()]) {
      if (entry.touchedAt <= now - ttlMs) conversations.delete(id);
    }
  };
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 60_000);
  timer.unref();

  return {
    get size() {
      return { conversations: conversations.size, messageIds: claims.size };
    },
    async load(id): Promise<StoredConversation | null> {
      const entry = entryOf(id);
      if (!entry?.version) return null;
      return { version: entry.version, snapshot: JSON.parse(entry.snapshot), meta: JSON.parse(entry.meta) };
    },
    async commit(id, expectedVersion, changes: CommitChanges) {
      const now = Date.now();
      if (changes.dedup) {
        const held = liveClaim(changes.dedup.key, now);
        const released = typeof held?.value === 'string' && held.value.startsWith('released:');
        if (held && !released && held.value !== `pending:${changes.dedup.token}`) {
          throw new ClaimLostError(changes.dedup.key);
        }
      }
      const current = entryOf(id, now)?.version ?? 0;
      if (current !== expectedVersion) return null;
      // Everything is serialized before the first write: a value JSON refuses leaves nothing half done.
      const snapshot = json(changes.snapshot);
      const meta = json(changes.meta);
      const events = changes.events.map((e) => encodeEvent(e, id));
      const transcript = changes.transcript.map((t) => encodeTranscript(t, id, texts));
      const answer = changes.dedup && answerOf(changes.dedup, now, texts);
      const version = current + 1;
      const entry = ensure(id, now);
      entry.version = version;
      entry.snapshot = snapshot;
      entry.meta = meta;
      append(entry.events, events, limits.eventLimit);
      append(entry.transcript, transcript, limits.transcriptLimit);
      entry.touchedAt = now;
      entry.updatedAt = now;
      recount(id, entry);
      if (changes.checkAt === null) checks.delete(id);
      else checks.set(id, changes.checkAt);
      if (changes.dedup && answer) {
        claims.set(changes.dedup.key, { value: answer, expires: now + changes.dedup.ttlMs });
      }
      return version;
    },
    async readEvents(id, limit) {
      return tail(entryOf(id)?.events, limit).map((line): EventLogEntry => decodeEvent(line, id));
    },
    async readTranscript(id, limit) {
      const lines = tail(entryOf(id)?.transcript, limit);
      return lines.map((line): TranscriptEntry => decodeTranscript(line, id, texts));
    },
    async appendEvent(id, entry) {
      const now = Date.now();
      const line = encodeEvent(entry, id);
      const target = ensure(id, now);
      append(target.events, [line], limits.eventLimit);
      target.touchedAt = now;
      recount(id, target);
    },
    async claimMessage(_id, key, leaseMs): Promise<MessageClaim> {
      const now = Date.now();
      const value = liveClaim(key, now)?.value;
      if (typeof value === 'object') return { state: 'done', result: decodeAnswer(answerAt(value, now), texts) };
      if (value?.startsWith('pending:')) return { state: 'pending' };
      const token = randomUUID();
      claims.set(key, { value: `pending:${token}`, expires: now + leaseMs });
      return { state: 'claimed', token };
    },
    async renewMessage(_id, key, token, leaseMs) {
      const now = Date.now();
      const claim = liveClaim(key, now);
      // Expired and nobody took it since: a late renewal claims it again.
      if (!claim) claims.set(key, { value: `pending:${token}`, expires: now + leaseMs });
      else if (claim.value === `pending:${token}`) claim.expires = now + leaseMs;
      else return false;
      return true;
    },
    async releaseMessage(_id, key, token) {
      const claim = liveClaim(key);
      if (claim?.value === `pending:${token}`) {
        claims.set(key, { value: `released:${token}`, expires: Date.now() + RELEASED_TTL_MS });
      }
    },
    async claimDueChecks(now, leaseMs, limit) {
      const due = [...checks.entries()]
        .filter(([, at]) => at <= now)
        .sort((a, b) => a[1] - b[1])
        .slice(0, limit)
        .map(([id]) => id);
      for (const id of due) checks.set(id, now + leaseMs);
      return due;
    },
    async clearCheck(id) {
      checks.delete(id);
    },
    async listConversations(offset, limit) {
      const now = Date.now();
      const ids = [...conversations.entries()]
        .filter(([, entry]) => entry.updatedAt !== undefined && entry.touchedAt > now - ttlMs)
        .sort((a, b) => (b[1].updatedAt ?? 0) - (a[1].updatedAt ?? 0))
        .map(([id]) => id);
      return { total: ids.length, ids: ids.slice(offset, offset + limit) };
    },
    async erase(id, keep = []) {
      conversations.delete(id);
      checks.delete(id);
      // The answers kept under its message ids hold its replies; a live claim stays (its turn ends),
      // and so do the answers asked to stay.
      const own = MESSAGE_KINDS.map((kind) => messageKeyPrefix(kind, id));
      for (const [key, claim] of [...claims.entries()]) {
        if (typeof claim.value !== 'object' || keep.includes(key)) continue;
        if (own.some((start) => key.startsWith(start))) claims.delete(key);
      }
    },
    async ping() {
      return true;
    },
    sweep,
    async close() {
      clearInterval(timer);
    },
  };
}
