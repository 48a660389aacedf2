import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { groupPrefix, runTag, SHARD_COUNT, shardOf } from './redis-keys.ts';
import { messageKey } from './runtime/message-once.ts';
import { storeKeys } from './store/redis-layout.ts';
import { MESSAGE_KINDS } from './store/types.ts';

// The slot function Redis Cluster and ioredis use (ioredis' own dependency, without types).
const keySlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

const ids = ['web:}x', 'web:{a}', '}', '{', '{}', 'web:ñ', 'whatsapp:+34600000000', '', `web:${'é{}'.repeat(1366)}`];
const prefix = 'omnibot:';

/** Every key a commit, a claim, a renewal, a release or an erase of `id` hands to one script or MULTI. */
function keysTouched(id: string): string[] {
  const key = storeKeys(prefix, 'sharded').of(id);
  const k = messageKey('in', id, 'm{1}');
  return [
    key.conversation,
    key.events,
    key.transcript,
    key.index,
    key.checks,
    key.legacyEvents,
    key.legacyTranscript,
    key.message(k),
    key.answer(k),
    key.legacyMessage(k).key,
    // What erase's scan finds and DROP_ANSWERS deletes: every kind's ids and answers.
    ...MESSAGE_KINDS.flatMap((kind) => [key.message(messageKey(kind, id, 'x')), key.answer(messageKey(kind, id, 'x'))]),
  ];
}

describe('Redis Cluster keys', () => {
  it.each(ids.map((id) => [id.length > 40 ? `${id.slice(0, 10)}… (${id.length} chars)` : JSON.stringify(id), id]))(
    'puts every key of the conversation %s in one slot',
    (_, id) => {
      const slots = new Set(keysTouched(id).map(keySlot));
      expect(slots.size).toBe(1);
    },
  );

  it('spreads the conversations over every shard, and the shards over the slots', () => {
    const shards = new Set(Array.from({ length: 5_000 }, (_, i) => shardOf(`web:user-${i}`)));
    expect(shards.size).toBe(SHARD_COUNT);
    const { indexes, checks } = storeKeys(prefix, 'sharded');
    expect(new Set(indexes.map(keySlot)).size).toBe(SHARD_COUNT);
    expect(indexes.map(keySlot)).toEqual(checks.map(keySlot));
  });

  it('never moves a conversation to another shard (crc32 modulo 64, fixed)', () => {
    expect([shardOf('web:ana'), shardOf('whatsapp:+34600000000'), shardOf('')]).toEqual([42, 9, 0]);
  });

  it('keeps the classic layout’s keys as they were, untagged', () => {
    const key = storeKeys(prefix, 'classic').of('web:ana');
    expect([key.conversation, key.events, key.index, key.checks, key.message('in:7:web:ana:m1')]).toEqual([
      'omnibot:conv:web:ana',
      'omnibot:conv-events:web:ana',
      'omnibot:conversations',
      'omnibot:checks',
      'omnibot:msg:in:7:web:ana:m1',
    ]);
    expect(key.legacyMessage('in:7:web:ana:m1')).toEqual({ key: 'omnibot:msg:web:ana:m1', conversationId: 'web:ana' });
  });

  it('tags a group’s keys on a cluster only', () => {
    expect(groupPrefix(prefix, 'notify', false)).toBe(prefix);
    const group = groupPrefix(prefix, 'notify', true);
    expect(keySlot(`${group}notify:seen`)).toBe(keySlot(`${group}notify:poller`));
  });

  it('tags a run’s keys with 10 base64url characters, whatever the run id holds', () => {
    for (const run of ['', '}', '{x}', 'run-1', 'ñ'.repeat(3000)]) {
      const tag = runTag(run);
      expect(tag).toMatch(/^[A-Za-z0-9_-]{10}$/);
      expect(keySlot(`${prefix}run-state:{${tag}}${run}`)).toBe(keySlot(`${prefix}run-lease:{${tag}}${run}`));
    }
    expect(runTag('run-1')).not.toBe(runTag('run-2'));
  });
});
