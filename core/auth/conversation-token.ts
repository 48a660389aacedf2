import { createHmac } from 'node:crypto';
import { safeEqual } from './safe-equal.ts';

/**
 * Stateless client tokens for one conversation: `<base64url(conversationId)>.<base64url(HMAC)>`.
 * Issued to web clients; any gateway process sharing SESSION_SECRET verifies them.
 */
export function issueConversationToken(secret: string, conversationId: string): string {
  const id = Buffer.from(conversationId).toString('base64url');
  return `${id}.${mac(secret, conversationId)}`;
}

/** The conversation id the token grants, or null. */
export function verifyConversationToken(secret: string, token: string | null | undefined): string | null {
  if (!token) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const conversationId = Buffer.from(token.slice(0, dot), 'base64url').toString();
  return safeEqual(token.slice(dot + 1), mac(secret, conversationId)) ? conversationId : null;
}

function mac(secret: string, conversationId: string): string {
  return createHmac('sha256', secret).update(`conversation:${conversationId}`).digest('base64url');
}
