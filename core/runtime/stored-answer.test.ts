import { describe, expect, it } from 'vitest';
import { conversationReplyTexts } from '../../app/reply-texts.ts';
import { connectRedis } from '../../test/support/redis.ts';
import { makeRuntime, message, redisStores } from '../../test/support/runtime-harness.ts';
import { messageKey } from './message-once.ts';
import { REPLIES_KEPT_MS } from './stored-answer.ts';

const stores = redisStores('answers');
const DAY_MS = 24 * 3600_000;

/**
 * Where a message id's answer is: its field in the conversation's answered-ids hash (the lasting
 * part) and in its replies hash (the whole answer); and the keys the previous code kept them under.
 */
const keysOf = (prefix: string, conversationId: string, id: string) => ({
  answered: `${prefix}conv-answered:${conversationId}`,
  replies: `${prefix}conv-replies:${conversationId}`,
  field: `in:${id}`,
  id: `${prefix}msg:${messageKey('in', conversationId, id)}`,
  answer: `${prefix}answer:${messageKey('in', conversationId, id)}`,
});

describe('a redelivered message, answered from what the first processing stored', () => {
  it('gets the same fixed replies for as long as its id is kept, and is never processed again', async () => {
    const prefix = stores.newPrefix();
    const { runtime, delivered } = makeRuntime(stores.open(prefix, conversationReplyTexts()), {
      dedupTtlMs: 7 * DAY_MS,
    });
    const first = await runtime.receive(message('ada-answers', 'hola', { id: 'wamid.1' }));
    expect(first.replies.length).toBeGreaterThan(0);
    const keys = keysOf(prefix, 'web:ada-answers', 'wamid.1');
    const redis = connectRedis();
    try {
      // The greeting's replies are fixed texts: the id keeps the state and their references, nothing beside.
      expect(await redis.hget(keys.answered, keys.field)).toMatch(/^\d+\|!\w+(,\w+)?(;[bt][0-9a-f]{12})+$/);
      expect(await redis.pttl(keys.answered)).toBeGreaterThan(6 * DAY_MS);
      expect(await redis.exists(keys.replies, keys.id, keys.answer)).toBe(0);

      // Soon, and as late as WhatsApp redelivers (what is stored does not change with time).
      const late = await runtime.receive(message('ada-answers', 'hola', { id: 'wamid.1' }));
      expect(late).toEqual({ ...first, duplicate: true });
      expect(delivered).toHaveLength(first.replies.length);
      expect((await runtime.getConversation('web:ada-answers'))?.version).toBe(1);
    } finally {
      await redis.quit();
    }
  });

  it('gets the same replies written for it within the hour, then the same state without them', async () => {
    const prefix = stores.newPrefix();
    // Without the fixed texts, the greeting's replies are kept whole, as a reply with the user's data is.
    const { runtime, delivered } = makeRuntime(stores.open(prefix), { dedupTtlMs: 7 * DAY_MS });
    const first = await runtime.receive(message('ana-answers', 'hola', { id: 'wamid.1' }));
    const keys = keysOf(prefix, 'web:ana-answers', 'wamid.1');
    const redis = connectRedis();
    try {
      // The replies are kept an hour, the id itself the whole DEDUP_TTL; the claim is gone.
      expect(await redis.pttl(keys.replies)).toBeLessThanOrEqual(REPLIES_KEPT_MS);
      expect(await redis.pttl(keys.answered)).toBeGreaterThan(6 * DAY_MS);
      // Only the state and status last (`!<state>` when they are the same): a few bytes per id.
      expect(await redis.hget(keys.answered, keys.field)).toMatch(/^\d+\|!\w+(,\w+)?$/);
      expect(await redis.exists(keys.id, keys.answer)).toBe(0);

      const soon = await runtime.receive(message('ana-answers', 'hola', { id: 'wamid.1' }));
      expect(soon).toEqual({ ...first, duplicate: true });

      // An hour later (what the replies' TTL does), a WhatsApp-style late redelivery.
      await redis.del(keys.replies);
      const late = await runtime.receive(message('ana-answers', 'hola', { id: 'wamid.1' }));
      expect(late).toEqual({ ...first, replies: [], duplicate: true });
      expect(delivered).toHaveLength(first.replies.length);
      expect((await runtime.getConversation('web:ana-answers'))?.version).toBe(1);
    } finally {
      await redis.quit();
    }
  });

  it('is answered the same from what earlier versions stored', async () => {
    const prefix = stores.newPrefix();
    const { runtime } = makeRuntime(stores.open(prefix), { dedupTtlMs: 7 * DAY_MS });
    const first = await runtime.receive(message('bea-answers', 'hola', { id: 'm1' }));
    const keys = keysOf(prefix, 'web:bea-answers', 'm1');
    const redis = connectRedis();
    try {
      await redis.del(keys.answered, keys.replies);
      await redis.set(keys.id, JSON.stringify(first), 'PX', DAY_MS);
      expect(await runtime.receive(message('bea-answers', 'hola', { id: 'm1' }))).toEqual({
        ...first,
        duplicate: true,
      });
      // As the previous code kept it: the state under the id, the replies beside it for an hour.
      const { replies, state, status } = first;
      const stored = replies.map(({ conversationId: _, ...reply }) => reply);
      await redis.set(keys.id, JSON.stringify({ state, status }), 'PX', DAY_MS);
      await redis.set(keys.answer, JSON.stringify({ replies: stored, state, status }), 'PX', DAY_MS);
      expect(await runtime.receive(message('bea-answers', 'hola', { id: 'm1' }))).toEqual({
        ...first,
        duplicate: true,
      });
      await redis.del(keys.answer);
      expect(await runtime.receive(message('bea-answers', 'hola', { id: 'm1' }))).toEqual({
        ...first,
        replies: [],
        duplicate: true,
      });
    } finally {
      await redis.quit();
    }
  });

  it('is forgotten with its conversation: an erase drops the id and its replies', async () => {
    const prefix = stores.newPrefix();
    const { runtime } = makeRuntime(stores.open(prefix), { dedupTtlMs: 7 * DAY_MS });
    await runtime.receive(message('eva-answers', 'hola', { id: 'm1' }));
    await runtime.erase('web:eva-answers');
    const keys = keysOf(prefix, 'web:eva-answers', 'm1');
    const redis = connectRedis();
    try {
      expect(await redis.exists(keys.answered, keys.replies, keys.id, keys.answer)).toBe(0);
    } finally {
      await redis.quit();
    }
    const again = await runtime.receive(message('eva-answers', 'hola', { id: 'm1' }));
    expect(again.duplicate).toBe(false);
  });
});
