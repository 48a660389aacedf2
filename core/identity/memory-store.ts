import { codeFromJson, expirable, type IdentityStore, recordFromJson, type TryKind } from './store.ts';
import type { IdentityRecord, LinkCode } from './types.ts';

/**
 * The identity store of one process (no REDIS_URL). Records are kept as JSON, as in Redis, so a
 * caller never holds the stored object. Expired codes and windows are dropped when looked at, and on
 * every new code.
 */
export function createMemoryIdentityStore(now: () => number = Date.now): IdentityStore {
  const links = new Map<string, string>();
  const codes = new Map<string, string>();
  /** Each chat's newest code. */
  const codeOf = new Map<string, string>();
  const tries = new Map<string, { count: number; resetAt: number }>();

  const liveCode = (code: string): LinkCode | null => {
    const found = codeFromJson(codes.get(code));
    if (found && found.expiresAt > now()) return found;
    codes.delete(code);
    return null;
  };
  const sweep = () => {
    for (const code of codes.keys()) liveCode(code);
    for (const [conversationId, code] of codeOf) if (!codes.has(code)) codeOf.delete(conversationId);
    for (const [key, window] of tries) if (window.resetAt <= now()) tries.delete(key);
  };
  const records = () => [...links.values()].flatMap((json) => recordFromJson(json) ?? []);

  return {
    async get(conversationId) {
      return recordFromJson(links.get(conversationId));
    },
    async put(record: IdentityRecord) {
      links.set(record.conversationId, JSON.stringify(record));
    },
    async markExpired(conversationId, linkedBefore) {
      // Read and written in one synchronous step: nothing can change the link in between.
      const found = recordFromJson(links.get(conversationId));
      if (!found || !expirable(found, linkedBefore)) return null;
      const marked: IdentityRecord = { ...found, expired: true };
      links.set(conversationId, JSON.stringify(marked));
      return marked;
    },
    async remove(conversationId) {
      const found = recordFromJson(links.get(conversationId));
      links.delete(conversationId);
      return found;
    },
    async list() {
      return records();
    },
    async conversationsOf(cmmsUserId) {
      return records()
        .filter((record) => record.cmmsUserId === cmmsUserId)
        .map((record) => record.conversationId);
    },
    async putCode(code) {
      sweep();
      const earlier = codeOf.get(code.conversationId);
      if (earlier !== undefined) codes.delete(earlier);
      codes.set(code.code, JSON.stringify(code));
      codeOf.set(code.conversationId, code.code);
    },
    async voidCodes(conversationId) {
      const live = codeOf.get(conversationId);
      if (live !== undefined) codes.delete(live);
      codeOf.delete(conversationId);
    },
    async peekCode(code) {
      return liveCode(code);
    },
    async takeCode(code) {
      const found = liveCode(code);
      codes.delete(code);
      return found;
    },
    async countTry(kind: TryKind, id, windowMs) {
      const key = `${kind}:${id}`;
      const current = tries.get(key);
      const window = current && current.resetAt > now() ? current : { count: 0, resetAt: now() + windowMs };
      window.count += 1;
      tries.set(key, window);
      return { count: window.count, resetInMs: window.resetAt - now() };
    },
    async refundTry(kind: TryKind, id) {
      const window = tries.get(`${kind}:${id}`);
      if (window && window.count > 0) window.count -= 1;
    },
  };
}
