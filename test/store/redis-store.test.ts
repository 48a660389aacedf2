import { afterAll } from 'vitest';
import { createRedisStore } from '../../core/store/redis-store.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';
import { storeContract } from '../support/store-contract.ts';

const prefixes: string[] = [];
afterAll(async () => {
  for (const prefix of prefixes) await clearPrefix(prefix);
});

storeContract('RedisStore (real Redis)', async () => {
  const prefix = uniquePrefix('store');
  prefixes.push(prefix);
  return createRedisStore({
    redis: connectRedis(),
    prefix,
    conversationTtlSeconds: 3600,
    transcriptLimit: 200,
    eventLimit: 1000,
  });
});
