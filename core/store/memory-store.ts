import { randomUUID } from 'node:crypto';
import type { TranscriptEntry } from '../runtime/types.ts';
import {
  ClaimLostError,
  type CommitChanges,
  type ConversationStore,
  type EventLogEntry,
  type MessageClaim,
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
}

/** The embedded store: everything in this process, nothing survives a restart. */
export function createMemoryStore(
  options: MemoryStoreOptions = { transcriptLimit: 200, eventLimit: 1000 },
): ConversationStore & { sweep(now?: number): void } {
  const limits = options;
  const ttlMs = options.conversationTtlMs ?? 30 * 24 * 3600_000;
  const conversations = new Map<string, StoredConversation>();
  const events = new Map<string, EventLogEntry[]>();
  const transcripts = new Map<string, TranscriptEntry[]>();
  const updated = new Map<string, number>();
  const checks = new Map<string, number>();
  const claims = new Map<string, { value: `pending:${string}` | { result: unknown }; expires: number }>();

  const append = <T>(map: Map<string, T[]>, id: string, items: T[], limit: number) => {
    if (items.length === 0) return;
    const list = map.get(id) ?? [];
    list.push(...items);
    if (list.length > limit) list.splice(0, list.length - limit);
    map.set(id, list);
  };
  const tail = <T>(list: T[] | undefined, limit?: number) =>
    limit === undefined ? [...(list ?? [])] : (list ?? []).slice(-limit);
  const clone = <T>(value: T): T => structuredClone(value);

  /** Drops what Redis would have expired: answered message ids past their TTL, idle conversations. */
  const sweep = (now = Date.now()) => {
    for (const [key, claim] of claims) if (claim.expires <= now) claims.delete(key);
    for (const [id, at] of updated) {
      if (at > now - ttlMs) continue;
      for (const map of [conversations, events, transcripts, updated, checks]) map.delete(id);
    }
  };
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 60_000);
  timer.unref();

  return {
    async load(id) {
      const found = conversations.get(id);
      return found ? clone(found) : null;
    },
    async commit(id, expectedVersion, changes: CommitChanges) {
      if (changes.dedup) {
        const held = claims.get(changes.dedup.key);
        if (held && held.expires > Date.now() && held.value !== `pending:${changes.dedup.token}`) {
          throw new ClaimLostError(changes.dedup.key);
        }
      }
      const current = conversations.get(id)?.version ?? 0;
      if (current !== expectedVersion) return null;
      const version = current + 1;
      conversations.set(id, { version, snapshot: clone(changes.snapshot), meta: clone(changes.meta) });
      append(events, id, changes.events, limits.eventLimit);
      append(transcripts, id, changes.transcript, limits.transcriptLimit);
      updated.set(id, Date.now());
      if (changes.checkAt === null) checks.delete(id);
      else checks.set(id, changes.checkAt);
      if (changes.dedup) {
        claims.set(changes.dedup.key, {
          value: { result: clone(changes.dedup.result) },
          expires: Date.now() + changes.dedup.ttlMs,
        });
      }
      return version;
    },
    async readEvents(id, limit) {
      return tail(events.get(id), limit);
    },
    async readTranscript(id, limit) {
      return tail(transcripts.get(id), limit);
    },
    async appendEvent(id, entry) {
      append(events, id, [entry], limits.eventLimit);
    },
    async claimMessage(key, leaseMs): Promise<MessageClaim> {
      const now = Date.now();
      const existing = claims.get(key);
      if (existing && existing.expires > now) {
        return typeof existing.value === 'string'
          ? { state: 'pending' }
          : { state: 'done', result: existing.value.result };
      }
      const token = randomUUID();
      claims.set(key, { value: `pending:${token}`, expires: now + leaseMs });
      return { state: 'claimed', token };
    },
    async releaseMessage(key, token) {
      if (claims.get(key)?.value === `pending:${token}`) claims.delete(key);
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
      const ids = [...updated.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
      return { total: ids.length, ids: ids.slice(offset, offset + limit) };
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
