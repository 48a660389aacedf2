import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import { makeRuntime, message, redisStores, testIdentityService } from '../support/runtime-harness.ts';
import { identityTestModel } from './identity-model.ts';

/**
 * "borrar mis datos" confirmed ("borrar" in the test machine tags the conversation `forget`): a
 * redelivery of the confirming message, and a conversation whose erase never happened.
 */

/** A test clock shared by the runtime and the identity service (links and turns in a known order). */
const clock = { now: Date.parse('2026-03-01T10:00:00.000Z') };
const tick = () => (clock.now += 1_000);

function harness(store: ConversationStore) {
  const identity = testIdentityService({
    login: async () => ({
      token: 'tok',
      cmmsUserId: 10,
      username: 'tecnico1',
      fullName: 'Juan Pérez',
      role: 'Técnico',
    }),
    now: () => clock.now,
  });
  const made = makeRuntime(store, { model: identityTestModel, identity, now: () => clock.now });
  const link = (user: string) => identity.linkWithPassword(`web:${user}`, 'tecnico1', 'tecnico1');
  return { ...made, identity, link };
}

const redis = redisStores('forget');
const stores: Record<string, () => ConversationStore> = {
  memory: () => createMemoryStore(),
  redis: () => redis.open(),
};

describe.each(Object.entries(stores))('a redelivered confirmation after the erase (%s)', (_kind, create) => {
  it('gets the same answer, and starts no new conversation', async () => {
    const store = create();
    const h = harness(store);
    await h.link('eva');
    await h.runtime.receive(message('eva', 'hola'));
    const confirm = message('eva', 'borrar', { id: 'msg-yes' });
    const first = await h.runtime.receive(confirm);
    await h.runtime.drain(5_000);
    expect(await store.load('web:eva')).toBeNull();

    const again = await h.runtime.receive({ ...confirm });
    expect(again).toEqual({ ...first, duplicate: true });
    await h.runtime.drain(5_000);
    expect(await store.load('web:eva')).toBeNull();
    expect(await store.readTranscript('web:eva')).toEqual([]);
    expect(h.delivered.map((m) => m.text)).toEqual(['eco: hola', 'Borré tus datos.']);
    await store.close();
  });
});

describe('a conversation left tagged forget (its erase failed, or its process died)', () => {
  /** A memory store whose next erase fails, as with Redis down right after the commit. */
  function failingOnce() {
    const store = createMemoryStore();
    let fail = true;
    return {
      ...store,
      erase: async (...args: Parameters<typeof store.erase>) => {
        if (!fail) return store.erase(...args);
        fail = false;
        throw new Error('redis connection lost');
      },
    };
  }

  it('is erased, its link too, before the next message, which starts afresh', async () => {
    const store = failingOnce();
    const h = harness(store);
    await h.link('eva');
    await h.runtime.receive(message('eva', 'hola'));
    tick();
    expect((await h.runtime.receive(message('eva', 'borrar'))).replies[0]?.text).toBe('Borré tus datos.');
    await h.runtime.drain(5_000);
    expect(await store.load('web:eva')).not.toBeNull(); // the erase failed

    tick();
    const next = await h.runtime.receive(message('eva', 'hola otra vez'));
    expect(next.replies.map((r) => r.text)).toEqual(['eco: hola otra vez']);
    expect(await store.load('web:eva')).toMatchObject({ version: 1 });
    expect((await store.readTranscript('web:eva')).map((t) => t.text)).toEqual(['hola otra vez', 'eco: hola otra vez']);
    expect(await store.readEvents('web:eva')).toHaveLength(1);
    expect(await h.identity.lookup('web:eva')).toBeNull();
  });

  it('keeps a link made after it (the user linked again): only the erase asked for happens', async () => {
    const store = failingOnce();
    const h = harness(store);
    await h.link('eva');
    tick();
    await h.runtime.receive(message('eva', 'borrar'));
    await h.runtime.drain(5_000);
    tick();
    const relinked = await h.link('eva');

    // The link's own turn finds the conversation to erase: erased, then unknown (409), the link kept.
    await expect(h.runtime.identityLinked('web:eva', relinked)).rejects.toMatchObject({ status: 409 });
    expect(await store.load('web:eva')).toBeNull();
    expect(await h.identity.lookup('web:eva')).toMatchObject({ cmmsUserId: 10, linkedAt: relinked.linkedAt });
  });
});
