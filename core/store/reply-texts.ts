import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis-connection.ts';

/**
 * The fixed texts of the conversation (replies without user data, button sets as JSON), each known by
 * a content hash: a stored transcript line keeps the hash instead of the text (entry-codec.ts). The
 * texts of this code are in memory; those of older (or newer) versions are read from one Redis hash
 * (`<prefix>reply-texts`), which every process fills with its own at start-up and never empties, so a
 * line stays readable after its text changes in the code.
 */
export interface ReplyTexts {
  /** The reference of a fixed text of this code, or undefined (the text is stored whole). */
  refOf(text: string): string | undefined;
  /** The text of a reference, when known here. */
  textOf(ref: string): string | undefined;
  /** Texts read elsewhere (the Redis hash), by reference. */
  learn(texts: Iterable<readonly [ref: string, text: string]>): void;
  /** The texts of this code, by reference (what start-up publishes). */
  readonly own: ReadonlyMap<string, string>;
}

/** 12 hex digits (48 bits) of the text's SHA-256: a new text, a new reference. */
export const textRef = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

/** What a reference no text is known for reads as (never an error: the rest of the line stays readable). */
export const missingText = (ref: string): string => `[texto no disponible: ${ref}]`;

export function createReplyTexts(texts: Iterable<string> = []): ReplyTexts {
  const own = new Map<string, string>();
  const refs = new Map<string, string>();
  for (const text of texts) {
    if (refs.has(text)) continue;
    const ref = textRef(text);
    own.set(ref, text);
    refs.set(text, ref);
  }
  const learned = new Map<string, string>();
  return {
    own,
    refOf: (text) => refs.get(text),
    textOf: (ref) => own.get(ref) ?? learned.get(ref),
    learn(entries) {
      // Only a text that hashes to its reference: nothing else can be read in its place.
      for (const [ref, text] of entries) if (textRef(text) === ref) learned.set(ref, text);
    },
  };
}

/** A whole reply (its text and buttons) as a fixed text: one reference for both. */
export const replyKey = (text: string, buttons: unknown): string => JSON.stringify({ text, buttons });

/** The Redis hash of every fixed text any version wrote a reference to (one key: one slot on a cluster). */
export const replyTextsKey = (prefix: string): string => `${prefix}reply-texts`;

/** Start-up: adds this code's texts to the hash (HSETNX: a reference's text never changes). */
export async function publishReplyTexts(redis: RedisClient, prefix: string, texts: ReplyTexts): Promise<void> {
  if (texts.own.size === 0) return;
  const pipeline = redis.pipeline();
  for (const [ref, text] of texts.own) pipeline.hsetnx(replyTextsKey(prefix), ref, text);
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
}

/** Reads the texts of `refs` not known here from the hash (their lines were written by another version). */
export async function lookupReplyTexts(
  redis: RedisClient,
  prefix: string,
  texts: ReplyTexts,
  refs: Iterable<string>,
): Promise<void> {
  const unknown = [...new Set(refs)].filter((ref) => texts.textOf(ref) === undefined);
  if (unknown.length === 0) return;
  const found = await redis.hmget(replyTextsKey(prefix), ...unknown);
  texts.learn(unknown.flatMap((ref, i) => (typeof found[i] === 'string' ? [[ref, found[i]] as const] : [])));
}

/** A name in a sample that no fixed text has: a text with it depends on who writes. */
export const SAMPLE_MARK = '<sample>';
/** What a reply function given an argument of another kind writes: not a fixed text. */
const MISFIT = /undefined|\[object Object\]|\bnull\b|<sample>/;

/**
 * Every text the reply functions give for `samples` (called with each sample as their one argument, or
 * with none): the texts, the button sets (as JSON) and the whole replies (`replyKey`) that do not depend on data. A
 * function that needs other arguments is skipped (it throws, or writes `undefined`, `null`, an object,
 * or a sample's `SAMPLE_MARK`).
 */
export function fixedReplyTexts(
  replies: Record<string, (...args: never[]) => unknown>,
  samples: readonly unknown[],
): string[] {
  const texts = new Set<string>();
  const add = (reply: unknown) => {
    for (const one of Array.isArray(reply) ? reply : [reply]) {
      if (!one || typeof one !== 'object') continue;
      const { text, buttons } = one as { text?: unknown; buttons?: unknown };
      const fixed = typeof text === 'string' && text.length > 0 && !MISFIT.test(text);
      if (fixed) texts.add(text);
      if (!Array.isArray(buttons) || buttons.length === 0) continue;
      texts.add(JSON.stringify(buttons));
      if (fixed) texts.add(replyKey(text, buttons));
    }
  };
  for (const make of Object.values(replies)) {
    if (typeof make !== 'function') continue;
    const calls: unknown[][] = make.length === 0 ? [[]] : make.length === 1 ? samples.map((s) => [s]) : [];
    for (const args of calls) {
      try {
        add((make as (...a: unknown[]) => unknown)(...args));
      } catch {
        // Needs an argument of another kind: not a fixed text.
      }
    }
  }
  return [...texts];
}
