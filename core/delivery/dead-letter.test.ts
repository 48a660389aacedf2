import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearPrefix, connectRedis, uniquePrefix } from '../../test/support/redis.ts';
import { createMemoryDeadLetterStore, createRedisDeadLetterStore } from './dead-letter.ts';
import type { DeadLetter, DeadLetterRetention, DeadLetterStore } from './types.ts';

const DAY = 24 * 60 * 60 * 1000;

function letter(id: string, ageMs: number, nextRetryAt: number | null): DeadLetter {
  return {
    id,
    channel: 'chat',
    conversationId: 'chat:1',
    message: { conversationId: 'chat:1', text: id },
    partsSent: 1,
    code: 'upstream_error',
    reason: 'HTTP 500',
    retryable: nextRetryAt !== null,
    attempts: 1,
    rounds: 1,
    failedAt: new Date(Date.now() - ageMs).toISOString(),
    nextRetryAt,
  };
}

let redis: ReturnType<typeof connectRedis>;
const prefixes: string[] = [];
beforeAll(() => {
  redis = connectRedis();
});
afterAll(async () => {
  await redis.quit();
  for (const prefix of prefixes) await clearPrefix(prefix);
});

const stores: [string, (retention: Partial<DeadLetterRetention>) => DeadLetterStore][] = [
  ['memory', (retention) => createMemoryDeadLetterStore(retention)],
  [
    'redis',
    (retention) => {
      const prefix = uniquePrefix('dead-letters');
      prefixes.push(prefix);
      return createRedisDeadLetterStore(redis, prefix, retention);
    },
  ],
];

describe.each(stores)('dead-letter store (%s)', (_, create) => {
  it('keeps only the newest entries', async () => {
    const store = create({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) await store.add(letter(`m${i}`, (5 - i) * 1000, null));
    expect(await store.size()).toBe(3);
    expect((await store.list(10)).map((e) => e.id)).toEqual(['m2', 'm3', 'm4']);
  });

  it('drops entries without automatic retry after a week, keeping those still due', async () => {
    const store = create({});
    await store.add(letter('parked-old', 8 * DAY, null));
    await store.add(letter('retry-old', 8 * DAY, Date.now() + 60_000));
    await store.add(letter('parked-new', 1000, null));
    expect((await store.list(10)).map((e) => e.id).sort()).toEqual(['parked-new', 'retry-old']);
  });

  it('reads only the due entries, with their progress', async () => {
    const store = create({});
    await store.add(letter('due', 2000, Date.now() - 1));
    await store.add(letter('later', 1000, Date.now() + 60_000));
    await store.add(letter('parked', 500, null));
    expect(await store.due!(Date.now(), 10)).toMatchObject([{ id: 'due', partsSent: 1 }]);
    expect(await store.take('due')).toMatchObject({ id: 'due' });
    expect(await store.due!(Date.now(), 10)).toEqual([]);
    expect((await store.list(10)).map((e) => e.id)).toEqual(['later', 'parked']);
  });
});
