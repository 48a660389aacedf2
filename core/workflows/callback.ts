/** Header carrying `sha256=<hex HMAC-SHA256(CALLBACK_SECRET, raw body)>`. */
export const CALLBACK_SIGNATURE_HEADER = 'x-omnibot-signature';

/** How workflows sign their callback body, and how the gateway checks it (constant time). */
export { signSha256 as signBody, verifySha256 as verifySignature } from '../auth/signature.ts';
