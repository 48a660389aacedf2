import { safeEqual } from '../../core/auth/safe-equal.ts';

/** setWebhook's `secret_token`: 1–256 characters of A-Z, a-z, 0-9, `_` and `-`. */
export const SECRET_TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

/** Checks `X-Telegram-Bot-Api-Secret-Token` against the configured secret, in constant time. */
export function verifySecretToken(header: string | undefined, secret: string): boolean {
  return !!header && safeEqual(header, secret);
}
