import { createHmac, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** Conversations whose token is kept ready (about 150 B each): every answer carries its token. */
const CACHED_TOKENS = 10_000;
/** Secrets with a cache of their own (one per process; tests use a few). */
const CACHED_SECRETS = 8;

/** Per secret: conversation id → its token, so the HMAC of a conversation is computed once. */
const tokensBySecret = new LRUCache<string, LRUCache<string, string>>({ max: CACHED_SECRETS });

/**
 * Stateless client tokens for one conversation: `<base64url(conversationId)>.<base64url(HMAC)>`.
 * Issued to web clients; any gateway process sharing SESSION_SECRET verifies them.
 */
export function issueConversationToken(secret: string, conversationId: string): string {
  let tokens = tokensBySecret.get(secret);
  if (!tokens) {
    tokens = new LRUCache({ max: CACHED_TOKENS });
    tokensBySecret.set(secret, tokens);
  }
  let token = tokens.get(conversationId);
  if (token === undefined) {
    token = `${Buffer.from(conversationId).toString('base64url')}.${mac(secret, conversationId)}`;
    tokens.set(conversationId, token);
  }
  return token;
}

/** The conversation id the token grants, or null. */
export function verifyConversationToken(secret: string, token: string | null | undefined): string | null {
  if (!token) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const conversationId = Buffer.from(token.slice(0, dot), 'base64url').toString();
  const expected = issueConversationToken(secret, conversationId);
  return sameMac(token.slice(dot + 1), expected.slice(expected.indexOf('.') + 1)) ? conversationId : null;
}

function mac(secret: string, conversationId: string): string {
  return createHmac('sha256', secret).update(`conversation:${conversationId}`).digest('base64url');
}

/** Constant-time comparison; a MAC's length is public (43 characters), so only equal lengths are compared. */
function sameMac(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
