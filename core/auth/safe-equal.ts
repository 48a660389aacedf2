import { hash, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** One-shot (`hash`): a `createHash` object costs more than the digest of a key. */
const digest = (text: string) => hash('sha256', text, 'buffer');

/** The digests of the values compared against (mostly the configured secrets, checked on every request). */
const expectedDigests = new LRUCache<string, Buffer>({ max: 64 });

/** Constant-time string comparison (hashing first, so lengths leak nothing either). */
export function safeEqual(given: string, expected: string): boolean {
  let b = expectedDigests.get(expected);
  if (!b) {
    b = digest(expected);
    expectedDigests.set(expected, b);
  }
  return timingSafeEqual(digest(given), b);
}
