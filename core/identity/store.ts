import { isRecord } from '../../lib/is-record.ts';
import type { IdentityRecord, LinkCode } from './types.ts';

/**
 * Where links, one-time codes and try counters live: in memory (one process) or in Redis
 * (`redis-store.ts`, every process). Keys, under the gateway's prefix:
 * - `identity:link:<len>:<conversationId>`: the link (JSON `IdentityRecord`, token sealed);
 * - `identity:all`: set of linked conversation ids; `identity:user:<cmmsUserId>`: the same per CMMS user;
 * - `identity:code:<code>`: a one-time code (JSON `LinkCode`, expires with it);
 * - `identity:code-of:<len>:<conversationId>`: the chat's newest code (a new code voids the one before);
 * - `identity:tries:code:<code>`, `identity:tries:addr:<address>`: try counters (fixed window).
 */

export interface TryCount {
  /** Tries in the current window, this one included. */
  count: number;
  /** Until the window ends. */
  resetInMs: number;
}

export interface IdentityStore {
  get(conversationId: string): Promise<IdentityRecord | null>;
  /** Stores (or replaces) a link and indexes it by conversation and CMMS user. */
  put(record: IdentityRecord): Promise<void>;
  /**
   * Marks the link expired only if it is still the very record that was read (compare-and-set): a
   * concurrent unlink, erase or new link is never undone. With `linkedBefore` (ms), only a link made
   * no later than that (the one a run or call used; a link made since is another's). The record
   * marked, or null (none, already expired, linked since, or changed meanwhile).
   */
  markExpired(conversationId: string, linkedBefore?: number): Promise<IdentityRecord | null>;
  /** Removes a link; the removed record, or null when there was none. */
  remove(conversationId: string): Promise<IdentityRecord | null>;
  list(): Promise<IdentityRecord[]>;
  /** Conversation ids linked to a CMMS user right now. */
  conversationsOf(cmmsUserId: number): Promise<string[]>;
  /** Stores a code and voids the chat's earlier one: only the newest link a chat was sent works. */
  putCode(code: LinkCode): Promise<void>;
  /** Voids the chat's live code, if any (its link was made or removed another way). */
  voidCodes(conversationId: string): Promise<void>;
  /** The live code, left in place. */
  peekCode(code: string): Promise<LinkCode | null>;
  /** The live code, removed atomically: a second take gets null. */
  takeCode(code: string): Promise<LinkCode | null>;
  /** Counts a try; the window starts with its first try and lasts `windowMs`. */
  countTry(kind: TryKind, id: string, windowMs: number): Promise<TryCount>;
  /** Gives a counted try back (it was not the user's fault, or it succeeded). */
  refundTry(kind: TryKind, id: string): Promise<void>;
}

export type TryKind = 'code' | 'addr';

/** Key names (without the gateway's prefix). User input only ever ends a key, length-prefixed where needed. */
export const identityKeys = {
  link: (conversationId: string) => `identity:link:${conversationId.length}:${conversationId}`,
  all: () => 'identity:all',
  user: (cmmsUserId: number) => `identity:user:${cmmsUserId}`,
  code: (code: string) => `identity:code:${code}`,
  codeOf: (conversationId: string) => `identity:code-of:${conversationId.length}:${conversationId}`,
  tries: (kind: TryKind, id: string) => `identity:tries:${kind}:${id.slice(0, MAX_TRY_ID)}`,
};

/** Longest client address kept in a try key. */
const MAX_TRY_ID = 128;

const text = (value: unknown): value is string => typeof value === 'string';

/** Whether a link may be marked expired: live, and (with `linkedBefore`) made no later than that. */
export function expirable(record: IdentityRecord, linkedBefore?: number): boolean {
  if (record.expired) return false;
  return linkedBefore === undefined || Date.parse(record.linkedAt) <= linkedBefore;
}

/** A stored link, from its JSON: only the known fields are copied (nothing else of the parsed object survives). */
export function recordFromJson(json: string | null | undefined): IdentityRecord | null {
  const value = parseObject(json);
  if (!value) return null;
  const { conversationId, cmmsUserId, username, fullName, role, linkedAt, sealedToken, expired } = value;
  if (!text(conversationId) || !Number.isSafeInteger(cmmsUserId) || !text(username) || !text(fullName)) return null;
  if (!text(role) || !text(linkedAt) || !text(sealedToken)) return null;
  return {
    conversationId,
    cmmsUserId: cmmsUserId as number,
    username,
    fullName,
    role,
    linkedAt,
    sealedToken,
    ...(expired === true ? { expired: true } : {}),
  };
}

/** A stored one-time code, from its JSON (known fields only). */
export function codeFromJson(json: string | null | undefined): LinkCode | null {
  const value = parseObject(json);
  if (!value) return null;
  const { code, conversationId, expiresAt } = value;
  if (!text(code) || !text(conversationId) || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return null;
  return { code, conversationId, expiresAt };
}

function parseObject(json: string | null | undefined): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const value: unknown = JSON.parse(json);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}
