import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings (the lengths are not secret). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

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
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Checks `X-Hub-Signature-256` over the raw bytes, in constant time. */
export function verifySignature(rawBody: Uint8Array, header: string | undefined, appSecret: string): boolean {
  if (!header?.startsWith('sha256=')) return false;
  return safeEqual(header.toLowerCase(), signWhatsAppBody(appSecret, rawBody));
}
