/** Every value stored under a key prefix in Redis, as text, whatever the key's type (to look for a secret in). */
import { Redis } from 'ioredis';

export async function redisValues(url: string, prefix: string): Promise<string[]> {
  const redis = new Redis(url);
  try {
    const values: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) values.push(`${key} ${JSON.stringify(await storedValue(redis, key))}`);
    } while (cursor !== '0');
    return values;
  } finally {
    await redis.quit();
  }
}

async function storedValue(redis: Redis, key: string): Promise<unknown> {
  switch (await redis.type(key)) {
    case 'string':
      return redis.get(key);
    case 'hash':
      return redis.hgetall(key);
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, 0, -1);
    case 'stream':
      return redis.xrange(key, '-', '+');
    default:
      return null;
  }
}
