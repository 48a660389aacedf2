import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../core/store/redis-store.ts';
import type { CommitChanges } from '../../core/store/types.ts';
import { clearPrefix, REDIS_URL, uniquePrefix } from '../support/redis.ts';

const prefix = uniquePrefix('erase-pipe');
// A client that auto-pipelines (the gateway does not: AUTO_PIPELINING in core/redis-connection.ts; the
// store works with either): commands issued together share one pipeline.
const redis = new Redis(REDIS_URL, { enableAutoPipelining: true, lazyConnect: false });
afterAll(async () => {
  await clearPrefix(prefix);
  redis.disconnect();
});

const changes = (id: string): CommitChanges => ({
  snapshot: { id },
  meta: { channel: 'web', userId: id, machineVersion: 1, createdAt: 'then', updatedAt: 'then' },
  events: [
    { at: 'now', event: { type: 'user.message', text: 'hola' }, stateBefore: null, stateAfter: 'idle', version: 1 },
  ],
  transcript: [{ conversationId: id, direction: 'in', text: 'hola', at: 'now' }],
  checkAt: null,
});

describe('erasing a conversation while other commands share the pipeline', () => {
  it('erases it and leaves every other command its own answer ("borrar mis datos" under load)', async () => {
    const store = createRedisStore({
      redis,
      prefix,
      conversationTtlSeconds: 3600,
      transcriptLimit: 200,
      eventLimit: 1000,
    });
    const ids = ['web:a', 'web:b', 'web:c'];
    for (const id of ids) expect(await store.commit(id, 0, changes(id))).toBe(1);

    // The first erase of this client, issued in the same tick as reads of other conversations.
    const [loadedB, transcriptC, , pong] = await Promise.all([
      store.load('web:b'),
      store.readTranscript('web:c'),
      store.erase('web:a'),
      store.ping(),
    ]);
    expect(loadedB?.version).toBe(1);
    expect(transcriptC.map((entry) => entry.text)).toEqual(['hola']);
    expect(pong).toBe(true);
    expect(await store.load('web:a')).toBeNull();
    expect(await store.readEvents('web:a')).toEqual([]);
  });
});
