import { safeEqual } from '../../core/auth/safe-equal.ts';
import { signSha256, verifySha256 } from '../../core/auth/signature.ts';

/**
 * The GET subscription handshake: the challenge to echo when `hub.mode=subscribe` and the verify
 * token matches, else null (answer 403).
 */
export function verifyHandshake(
  query: { mode?: string; token?: string; challenge?: string },
  verifyToken: string,
): string | null {
  if (query.mode !== 'subscribe' || !query.token || query.challenge === undefined) return null;
  return safeEqual(query.token, verifyToken) ? query.challenge : null;
}

/** `sha256=<hex HMAC-SHA256(app secret, raw body)>`, as Meta computes it. */
export function signWhatsAppBody(appSecret: string, rawBody: string | Uint8Array): string {
  return signSha256(appSecret, rawBody);
}

/** Checks `X-Hub-Signature-256` over the raw bytes, in constant time. */
export function verifySignature(rawBody: Uint8Array, header: string | undefined, appSecret: string): boolean {
  return verifySha256(appSecret, rawBody, header?.toLowerCase());
}
