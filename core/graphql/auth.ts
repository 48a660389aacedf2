import { bearerToken } from '../auth/bearer.ts';
import { verifyConversationToken } from '../auth/conversation-token.ts';
import { safeEqual } from '../auth/safe-equal.ts';
import { forbidden, unauthenticated } from './errors.ts';

/** Who is calling: the admin, the holder of one conversation's token, or nobody. */
export type Principal = { kind: 'admin' } | { kind: 'conversation'; conversationId: string } | { kind: 'anonymous' };

export interface AuthSecrets {
  sessionSecret: string;
  /** Unset: admin operations are refused. */
  adminToken?: string;
}

const ANONYMOUS: Principal = { kind: 'anonymous' };

export function principalFromToken(secrets: AuthSecrets, token: string | null | undefined): Principal {
  if (!token) return ANONYMOUS;
  if (secrets.adminToken && safeEqual(token, secrets.adminToken)) return { kind: 'admin' };
  const conversationId = verifyConversationToken(secrets.sessionSecret, token);
  return conversationId ? { kind: 'conversation', conversationId } : ANONYMOUS;
}

/** graphql-ws `connectionParams`: `{ authorization: 'Bearer <token>' }` or `{ token }`. */
export function connectionParamsToken(params: unknown): string | null {
  if (!params || typeof params !== 'object') return null;
  const { authorization, token } = params as Record<string, unknown>;
  if (typeof authorization === 'string') return bearerToken(authorization) ?? (authorization.trim() || null);
  return typeof token === 'string' && token ? token : null;
}

/** Reading a conversation (query or subscription): its own token, or the admin. */
export function assertCanRead(principal: Principal, conversationId: string): void {
  if (principal.kind === 'anonymous') throw unauthenticated();
  if (principal.kind === 'admin') return;
  if (principal.conversationId !== conversationId) throw forbidden();
}

/** Writing to a conversation: only its own token (the admin does not speak for users). */
export function assertCanWrite(principal: Principal, conversationId: string): void {
  if (principal.kind === 'anonymous') throw unauthenticated();
  if (principal.kind !== 'conversation' || principal.conversationId !== conversationId) throw forbidden();
}

export function assertAdmin(principal: Principal, adminConfigured: boolean): void {
  if (!adminConfigured) throw forbidden('admin operations are disabled (ADMIN_TOKEN is not set)');
  if (principal.kind === 'anonymous') throw unauthenticated();
  if (principal.kind !== 'admin') throw forbidden();
}
