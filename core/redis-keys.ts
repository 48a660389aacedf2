import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Hash tags for Redis Cluster: the keys one script or MULTI touches must share a slot, so they share
 * the tag (`{…}`, the first such group of the key; the key prefix holds no braces in cluster mode).
 */

/** How many shards the conversations are spread over (fixed forever: it names the keys). */
export const SHARD_COUNT = 64;

/** A conversation's shard: crc32 of its id (UTF-8) modulo SHARD_COUNT. Never change the function. */
export function shardOf(conversationId: string): number {
  return crc32(conversationId) % SHARD_COUNT;
}

/** The hash tag of a shard: `{s<n>}`. Every key of its conversations and its indexes carry it. */
export const shardTag = (shard: number): string => `{s${shard}}`;

/** A small namespace's keys in one slot on a cluster (`<prefix>{<group>}`); standalone: the prefix. */
export function groupPrefix(prefix: string, group: string, cluster: boolean): string {
  return cluster ? `${prefix}{${group}}` : prefix;
}

/**
 * The tag of a workflow run's keys: 10 characters of base64url(sha1(run)), never empty and without
 * braces whatever the run id holds.
 */
export function runTag(run: string): string {
  return createHash('sha1').update(run).digest('base64url').slice(0, 10);
}
