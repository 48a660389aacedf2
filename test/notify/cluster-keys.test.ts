import { afterAll, describe, expect, it } from 'vitest';
import { notifyKeys } from '../../core/notify/keys.ts';
import { pollLeaseKey, redisPollLease } from '../../core/notify/lease.ts';
import { redisSeenStore } from '../../core/notify/seen-store.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';

/**
 * The notifier's keys in the cluster layout, on the standalone test Redis: the seen hash and the
 * poller's lease share one hash tag (RECORD reads the lease while it writes the hash), and the
 * classic layout is unchanged.
 */
const redis = connectRedis();
const prefix = uniquePrefix('notify-cluster');
afterAll(async () => {
  await clearPrefix(prefix);
  await redis.quit();
});

/** Redis Cluster's hash tag of a key: what its first `{…}` holds when not empty, else the whole key. */
function hashTag(key: string): string {
  const match = /\{([^}]+)\}/.exec(key);
  return match?.index === key.indexOf('{') && match[1] ? match[1] : key;
}

const seenOrder = { state: 'Abierta', technicianId: null, technicianName: null, sequence: 1 };

describe('notify keys', () => {
  it('keep the classic names without a cluster, and one {notify} tag with one', () => {
    expect(notifyKeys('bot:')).toEqual({ seen: 'bot:notify:seen', poller: 'bot:notify:poller' });
    expect(pollLeaseKey('bot:')).toBe('bot:notify:poller');
    const tagged = notifyKeys('bot:', true);
    expect(tagged).toEqual({ seen: 'bot:{notify}notify:seen', poller: 'bot:{notify}notify:poller' });
    expect(pollLeaseKey('bot:', true)).toBe(tagged.poller);
    expect(hashTag(tagged.seen)).toBe('notify');
    expect(hashTag(tagged.poller)).toBe('notify');
  });

  it('record under the held lease, and nothing once it is lost, in the cluster layout', async () => {
    const seen = redisSeenStore(redis, prefix, true);
    const lease = redisPollLease(redis, prefix, 10_000, true);
    expect(await lease.hold()).toBe(true);
    expect(lease.fence?.key).toBe(`${prefix}{notify}notify:poller`);
    const look = { baseline: true, epoch: Date.now(), updates: new Map([[7, seenOrder]]) };
    expect(await seen.record(look, lease.fence)).toBe(true);
    expect((await seen.load()).orders.get(7)).toEqual(seenOrder);
    expect(await redis.exists(`${prefix}{notify}notify:seen`)).toBe(1);
    expect(await redis.exists(`${prefix}notify:seen`)).toBe(0);

    await redis.set(pollLeaseKey(prefix, true), 'another-process', 'PX', 10_000);
    const later = { baseline: false, epoch: 0, updates: new Map([[7, { ...seenOrder, sequence: 2 }]]) };
    expect(await seen.record(later, lease.fence)).toBe(false);
    expect((await seen.load()).orders.get(7)?.sequence).toBe(1);
  });
});
