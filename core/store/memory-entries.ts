import { storedAnswerParts } from './answer-codec.ts';
import type { ReplyTexts } from './reply-texts.ts';
import type { CommitChanges } from './types.ts';

/** What the memory store keeps per conversation and per message id, and what each costs (memory-store.ts). */

/** What a string costs the heap at most (V8 keeps a string with any non-Latin-1 character at 2 bytes each). */
const stringBytes = (text: string) => 2 * text.length;
/** A rough per-entry overhead (the entry's objects, arrays and key). */
const ENTRY_OVERHEAD = 200;

/**
 * Everything kept for one conversation: evicted together, so the caps bound the whole store. Values
 * are kept as JSON, as Redis keeps them, and parsed on every read: no caller can change what is
 * stored, and nothing read changes when the store does. A string costs the collector one object.
 */
export interface Entry {
  /** 0 while only delivery receipts were appended (nothing to load). */
  version: number;
  snapshot: string;
  meta: string;
  events: string[];
  transcript: string[];
  /** Last commit or append (ms): the TTL and `listConversations` order. */
  touchedAt: number;
  /** Last commit (ms); unset while only delivery receipts were appended. */
  updatedAt?: number;
}

/** A live claim, a released one (free to claim; its holder can no longer renew it), or an answer. */
export interface Claim {
  value: `pending:${string}` | `released:${string}` | Answer;
  expires: number;
}

/**
 * An answer as stored (answer-codec.ts); with `lasting`, the whole one is kept until `shrinksAt` (ms), the
 * lasting part after.
 */
export interface Answer {
  answer: string;
  lasting: { answer: string; shrinksAt: number } | null;
}

/** A conversation's entry as counted against MEMORY_MAX_CONVERSATIONS_MIB. */
export function entryBytes(entry: Entry, id: string): number {
  let bytes = ENTRY_OVERHEAD + stringBytes(id) + stringBytes(entry.snapshot) + stringBytes(entry.meta);
  for (const line of entry.events) bytes += stringBytes(line);
  for (const line of entry.transcript) bytes += stringBytes(line);
  return bytes;
}

/** A message id's claim or answer as counted against MEMORY_MAX_MESSAGE_IDS_MIB. */
export function claimBytes({ value }: Claim, key: string): number {
  const answer = typeof value === 'string' ? value : value.answer + (value.lasting?.answer ?? '');
  return ENTRY_OVERHEAD + stringBytes(key) + stringBytes(answer);
}

/** `undefined` has no JSON: kept as null, as a missing answer reads from Redis. */
export const json = (value: unknown): string => JSON.stringify(value) ?? 'null';

/** A message id's answer, each part as the Redis store keeps it (answer-codec.ts: fixed replies by reference). */
export function answerOf(dedup: NonNullable<CommitChanges['dedup']>, now: number, texts: ReplyTexts): Answer {
  const { lasting, whole } = storedAnswerParts(dedup, texts);
  if (!whole) return { answer: lasting, lasting: null };
  return { answer: whole.answer, lasting: { answer: lasting, shrinksAt: now + whole.forMs } };
}

/** The answer as it reads at `now`: past `shrinksAt` only its lasting part is kept (and read). */
export function answerAt(value: Answer, now: number): string {
  if (value.lasting && value.lasting.shrinksAt <= now) {
    value.answer = value.lasting.answer;
    value.lasting = null;
  }
  return value.answer;
}
