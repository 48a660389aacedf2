import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.ts';
import { MIN_IDENTITY_KEY_LENGTH } from './types.ts';

/**
 * The users' CMMS tokens at rest: AES-256-GCM with a key derived (HKDF-SHA256) from `IDENTITY_KEY`,
 * as `v1.<iv>.<tag>.<data>` (base64url). A context (the conversation id) is bound as additional
 * data, so a sealed token moved to another record does not open.
 */

export const SEAL_VERSION = 'v1';
/** `IDENTITY_KEY`'s shortest length (core/config.ts checks it too). */
export const MIN_KEY_LENGTH = MIN_IDENTITY_KEY_LENGTH;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = 'omnibot:identity';
const INFO = 'cmms-token-seal:v1';

export interface TokenSealer {
  seal(token: string, context: string): string;
  /** The token, or null when the text was not sealed with this key and context (or is malformed). */
  open(sealed: string, context: string): string | null;
  /** False when the key is a random one of this process (no IDENTITY_KEY). */
  readonly persistent: boolean;
}

/** The 32-byte AES key of an `IDENTITY_KEY` (any string of 16 characters or more). */
export function deriveSealKey(secret: string): Buffer {
  if (secret.length < MIN_KEY_LENGTH) {
    throw new ConfigError(`IDENTITY_KEY must be at least ${MIN_KEY_LENGTH} characters long`);
  }
  return Buffer.from(hkdfSync('sha256', secret, SALT, INFO, 32));
}

export function sealWith(key: Buffer, token: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((part) => part.toString('base64url'));
  return [SEAL_VERSION, ...parts].join('.');
}

export function openWith(key: Buffer, sealed: string, context: string): string | null {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== SEAL_VERSION) return null;
  const [iv, tag, data] = parts.slice(1).map((part) => Buffer.from(part, 'base64url'));
  if (iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !data) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    return null; // another key, another context, or tampered
  }
}

/**
 * The sealer of `IDENTITY_KEY`; without one, a random key of this process (one warning): links then
 * do not survive a restart and are not shared between processes (they read as expired).
 */
export function createTokenSealer(
  secret: string | undefined,
  // Structural (not core/log.ts): core/config.ts reads MIN_KEY_LENGTH, and log.ts reads config.
  logger: { warn(fields: Record<string, unknown>, msg: string): void },
): TokenSealer {
  const persistent = Boolean(secret);
  if (!secret) {
    logger.warn(
      {},
      'IDENTITY_KEY not set: linked CMMS accounts are sealed with a random key of this process and must be linked again after a restart',
    );
  }
  const key = secret ? deriveSealKey(secret) : randomBytes(32);
  return {
    persistent,
    seal: (token, context) => sealWith(key, token, context),
    open: (sealed, context) => openWith(key, sealed, context),
  };
}
