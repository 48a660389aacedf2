import { describe, expect, it } from 'vitest';
import type { LinkedIdentity } from '../../core/identity/types.ts';
import { withoutIdentity } from '../../core/runtime/identity.ts';
import type { OrderChange } from '../../core/runtime/model.ts';
import { notifyClaimKey } from '../../core/runtime/notify-turn.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import { makeRuntime, message, redisStores } from '../support/runtime-harness.ts';
import { orderChange, orderChangedEvents, until } from './support.ts';

/**
 * Where a notification's claim lives and whom it reaches: apart from the ids a client may choose for
 * its messages (and dropped by an erase like them), and a chat still linked whose conversation
 * expired is told on a fresh one.
 */

const stores = redisStores('notify-claims');

const change = (changeId: string): OrderChange =>
  orderChange({ changeId, orderId: Number(changeId.split(':')[0]), number: 'OT-950' });

const kinds: Array<[string, () => ConversationStore]> = [
  ['memory', () => createMemoryStore()],
  ['Redis', () => stores.open()],
];

describe.each(kinds)('notification claims (%s store)', (_, open) => {
  it('are not blocked by a client message that chose the same id, and an erase drops them', async () => {
    const store = open();
    const { runtime } = makeRuntime(store);
    // A REST web client chose the message id a notification used to be claimed under.
    await runtime.receive(message('eva', 'hola', { id: 'notify:950:1765000000001' }));
    const told = await runtime.notifyOrderChange('web:eva', change('950:1765000000001'), 'requester');
    expect(told).toMatchObject({ duplicate: false });
    expect(await orderChangedEvents(store, 'web:eva')).toHaveLength(1);
    expect(await runtime.notifyOrderChange('web:eva', change('950:1765000000001'), 'requester')).toMatchObject({
      duplicate: true,
    });

    await runtime.erase('web:eva');
    // The claim went with the conversation: a fresh claim of that change is granted.
    const key = notifyClaimKey('web:eva', '950:1765000000001');
    expect(await store.claimMessage('web:eva', key, 1_000)).toMatchObject({ state: 'claimed' });
  });
});

describe('a linked chat whose conversation expired', () => {
  const linked = (conversationId: string): LinkedIdentity | null =>
    conversationId === 'web:fabi'
      ? {
          cmmsUserId: 4,
          username: 'solicitante1',
          fullName: 'Fabiola Díaz',
          role: 'Solicitante',
          linkedAt: '2026-01-01T00:00:00.000Z',
        }
      : null;
  const identity = { ...withoutIdentity(), lookup: async (id: string) => linked(id) };

  it('is told on a fresh conversation; an unlinked one with no conversation is nobody to tell', async () => {
    const store = createMemoryStore({ transcriptLimit: 200, eventLimit: 1000, conversationTtlMs: 300 });
    const { runtime, delivered } = makeRuntime(store, { identity });
    await runtime.receive(message('fabi', 'hola'));
    await runtime.receive(message('gus', 'hola'));
    await until(async () => (await store.load('web:fabi')) === null && (await store.load('web:gus')) === null, Boolean);

    const told = await runtime.notifyOrderChange('web:fabi', change('950:1765000000002'), 'requester');
    expect(told).toMatchObject({ conversationId: 'web:fabi', duplicate: false });
    expect(await orderChangedEvents(store, 'web:fabi')).toHaveLength(1);
    const said = delivered.filter((m) => m.conversationId === 'web:fabi' && m.kind === 'notification');
    expect(said).toHaveLength(1);
    expect(said[0]?.text).toMatch(/OT-950 del equipo Excavadora CAT 320 pasó a Completada\./);

    expect(await runtime.notifyOrderChange('web:gus', change('950:1765000000002'), 'requester')).toBeNull();
    expect(await store.load('web:gus')).toBeNull();
  });
});
