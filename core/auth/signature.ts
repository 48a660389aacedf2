import { createHmac } from 'node:crypto';
import { safeEqual } from './safe-equal.ts';

/** `sha256=<hex HMAC-SHA256(secret, raw body)>`: the form of Meta's and omnibot's own webhook signatures. */
export function signSha256(secret: string, rawBody: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Constant-time check of a `sha256=<hex>` signature over the raw body. */
export function verifySha256(secret: string, rawBody: string | Uint8Array, header: string | null | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  return safeEqual(header, signSha256(secret, rawBody));
}
