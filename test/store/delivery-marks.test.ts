import { afterAll, describe, expect, it } from 'vitest';
import {
  createMemoryDeliveryMarks,
  createRedisDeliveryMarks,
  type DeliveryMarksOptions,
} from '../../core/store/delivery-marks.ts';
import { deliveryMarksContract } from '../support/delivery-marks-contract.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';

const redis = connectRedis();
const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await clearPrefix(prefix);
  await redis.quit();
});

function redisMarks(options: DeliveryMarksOptions, prefix = uniquePrefix('marks')) {
  prefixes.push(prefix);
  return createRedisDeliveryMarks(redis, prefix, options);
}

deliveryMarksContract('memory delivery marks', async (options) => createMemoryDeliveryMarks(options));
deliveryMarksContract('Redis delivery marks', async (options) => redisMarks(options));

describe('Redis delivery marks', () => {
  it('are shared by every process on the same prefix, and expire with their TTL', async () => {
    const prefix = uniquePrefix('marks');
    const a = redisMarks({ ttlMs: 60_000 }, prefix);
    const b = redisMarks({ ttlMs: 60_000 }, prefix);
    const order = Date.now() * 1000;
    await a.record('chat:9', order);
    expect(await b.latest('chat:9')).toBe(order);
    expect(await redis.pttl(`${prefix}delivery:last-delivered`)).toBeGreaterThan(0);
  });

  it('drop expired marks from Redis as records go on', async () => {
    const prefix = uniquePrefix('marks');
    const marks = redisMarks({ ttlMs: 1_000, pruneEveryMs: 0 }, prefix);
    await marks.record('chat:old', (Date.now() - 5_000) * 1000);
    await marks.record('chat:new', Date.now() * 1000);
    expect(await redis.zrange(`${prefix}delivery:last-delivered`, 0, -1)).toEqual(['chat:new']);
  });
});
