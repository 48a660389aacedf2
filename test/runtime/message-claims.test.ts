import { describe, expect, it } from 'vitest';
import { receiveInBackground } from '../../core/delivery/inbound.ts';
import { InProgressError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import { messageKey } from '../../core/runtime/message-once.ts';
import type { ConversationRuntime } from '../../core/runtime/types.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import type { EquipmentSummary } from '../../core/workflows/results.ts';
import { connectRedis } from '../support/redis.ts';
import { CAT_001, inbound, makeRuntime, message, redisStores } from '../support/runtime-harness.ts';

const stores = redisStores('claims');

/** A store whose every call hangs once `freeze()` is called: its process stopped (kill -9, SIGSTOP). */
function freezable(store: ConversationStore) {
  let frozen = false;
  const wrapped = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (frozen ? new Promise(() => {}) : value.apply(target, args));
    },
  });
  return { store: wrapped, freeze: () => (frozen = true) };
}

/** A CMMS lookup that hangs until released; `entered` resolves when a turn is inside it. */
function heldLookup() {
  let enter!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const findEquipment = async (): Promise<EquipmentSummary[]> => {
    enter();
    await released;
    return [CAT_001];
  };
  return { findEquipment, entered, release };
}

// Leases far longer than any test step: a claim never expires on its own here, however busy the
// machine. A holder's death is made explicit: its store freezes and its claim is expired by hand
// (what the lease does seconds after a kill -9).
const LEASE = { claimLeaseMs: 5_000, actorTimeoutMs: 60_000 };

/** Expires a message's claim now, as its lease would once its holder stopped renewing it. */
async function expireClaim(prefix: string, conversationId: string, messageId: string) {
  const redis = connectRedis();
  try {
    await redis.del(`${prefix}msg:${messageKey('in', conversationId, messageId)}`);
  } finally {
    await redis.quit();
  }
}

/** The runtime, and a promise that resolves once one of its calls was told "in progress" (409). */
function watchInProgress(runtime: ConversationRuntime) {
  let seen!: () => void;
  const toldInProgress = new Promise<void>((resolve) => (seen = resolve));
  const watched: ConversationRuntime = {
    ...runtime,
    receive: (...args) =>
      runtime.receive(...args).catch((error: unknown) => {
        if (error instanceof InProgressError) seen();
        throw error;
      }),
  };
  return { runtime: watched, toldInProgress };
}

describe('a message whose first attempt died', () => {
  it('is processed by the retry, with the real answer, once the dead holder’s claim expires', async () => {
    const prefix = stores.newPrefix();
    const survivor = makeRuntime(stores.open(prefix), { ...LEASE, duplicateWaitMs: 15_000 });
    await survivor.runtime.receive(message('ana-claims', 'reportar falla'));

    const dying = freezable(stores.open(prefix));
    const lookup = heldLookup();
    const doomed = makeRuntime(dying.store, { ...LEASE, cmms: { findEquipment: lookup.findEquipment } });
    const delivery = message('ana-claims', 'CAT-001');
    void doomed.runtime.receive(delivery); // never ends: its process "dies" mid-turn
    await lookup.entered;
    dying.freeze();

    const retry = survivor.runtime.receive({ ...delivery });
    await expireClaim(prefix, delivery.conversationId, delivery.id);
    const answer = await retry;
    expect(answer.duplicate).toBe(false);
    expect(answer.replies[0]?.text).toMatch(/Describe la falla/);
    expect(answer.state).toBe('reporting.description');
    expect(inbound(await survivor.runtime.transcript('web:ana-claims')).filter((t) => t === 'CAT-001')).toHaveLength(1);
  });

  it('is processed by a WhatsApp/Telegram-style background redelivery after the webhook answered 200', async () => {
    const prefix = stores.newPrefix();
    const survivor = makeRuntime(stores.open(prefix), { ...LEASE, duplicateWaitMs: 50 });
    await survivor.runtime.receive(message('beto-claims', 'reportar falla'));
    const dying = freezable(stores.open(prefix));
    const lookup = heldLookup();
    const doomed = makeRuntime(dying.store, { ...LEASE, cmms: { findEquipment: lookup.findEquipment } });
    const delivery = message('beto-claims', 'CAT-001', { channel: 'whatsapp' });
    void doomed.runtime.receive(delivery);
    await lookup.entered;

    // Alive for a while (the redelivery is told "in progress"), then it dies.
    const watched = watchInProgress(survivor.runtime);
    const background = receiveInBackground(watched.runtime, [{ ...delivery }], silentLogger, { delaysMs: [] });
    await watched.toldInProgress;
    dying.freeze();
    await expireClaim(prefix, delivery.conversationId, delivery.id);
    await background;
    expect(survivor.delivered.map((m) => m.text)).toEqual([
      expect.stringMatching(/Vamos a reportar una falla/),
      expect.stringMatching(/Describe la falla/),
    ]);
    expect((await survivor.runtime.getConversation('web:beto-claims'))?.state).toBe('reporting.description');
  });
});

describe('a retry while the first attempt is alive', () => {
  it('gets a 409 "in progress" with Retry-After, not an empty answer, and later the real answer', async () => {
    const prefix = stores.newPrefix();
    const lookup = heldLookup();
    const holder = makeRuntime(stores.open(prefix), { ...LEASE, cmms: { findEquipment: lookup.findEquipment } });
    const other = makeRuntime(stores.open(prefix), { ...LEASE, duplicateWaitMs: 1_000 });
    await holder.runtime.receive(message('carmen-claims', 'reportar falla'));
    const delivery = message('carmen-claims', 'CAT-001');
    const first = holder.runtime.receive(delivery);
    await lookup.entered;

    const early = await other.runtime.receive({ ...delivery }).catch((error: unknown) => error);
    expect(early).toBeInstanceOf(InProgressError);
    expect(early).toMatchObject({ status: 409, retryAfterMs: expect.any(Number) });

    lookup.release();
    const answered = await first;
    const later = await other.runtime.receive({ ...delivery });
    expect(later).toMatchObject({ duplicate: true, replies: answered.replies });
    expect(later.replies[0]?.text).toMatch(/Describe la falla/);
    expect(other.delivered).toEqual([]);
    expect((await other.runtime.getConversation('web:carmen-claims'))?.version).toBe(2);
  });

  it('is held by a background redelivery until the holder answers, and then not processed again', async () => {
    const prefix = stores.newPrefix();
    const lookup = heldLookup();
    const holder = makeRuntime(stores.open(prefix), { ...LEASE, cmms: { findEquipment: lookup.findEquipment } });
    const other = makeRuntime(stores.open(prefix), { ...LEASE, duplicateWaitMs: 50 });
    await holder.runtime.receive(message('dario-claims', 'reportar falla'));
    const delivery = message('dario-claims', 'CAT-001', { channel: 'telegram' });
    const first = holder.runtime.receive(delivery);
    await lookup.entered;

    const watched = watchInProgress(other.runtime);
    const background = receiveInBackground(watched.runtime, [{ ...delivery }], silentLogger, { delaysMs: [] });
    await watched.toldInProgress;
    lookup.release();
    await Promise.all([background, first]);
    expect(other.delivered).toEqual([]);
    expect(holder.delivered.at(-1)?.text).toMatch(/Describe la falla/);
    expect((await other.runtime.getConversation('web:dario-claims'))?.version).toBe(2);
  });
});

describe('a message answered before the upgrade to the current key layout', () => {
  it('is answered from that answer, not processed a second time', async () => {
    const prefix = stores.newPrefix();
    const { runtime, delivered } = makeRuntime(stores.open(prefix));
    const first = await runtime.receive(message('fede-claims', 'reportar falla'));
    // The same answer where the earlier layout kept it (`msg:<conversation>:<id>`), as a redelivery finds it.
    const redis = connectRedis();
    await redis.set(`${prefix}msg:web:fede-claims:old-1`, JSON.stringify(first), 'EX', 3600);
    await redis.quit();

    const redelivered = await runtime.receive(message('fede-claims', 'reportar falla', { id: 'old-1' }));
    expect(redelivered).toMatchObject({ duplicate: true, replies: first.replies });
    expect(delivered).toHaveLength(first.replies.length);
    expect((await runtime.getConversation('web:fede-claims'))?.version).toBe(1);
  });
});

describe('a message id containing ":"', () => {
  it('never reaches another conversation’s answer', async () => {
    const { runtime } = makeRuntime(stores.open());
    const victim = await runtime.receive(message('eva', 'hola', { id: 'b:c' }));
    const other = await runtime.receive(message('eva:b', 'ayuda', { id: 'c' }));
    expect(victim.duplicate).toBe(false);
    expect(other.duplicate).toBe(false);
    expect(other.conversationId).toBe('web:eva:b');
    expect(other.replies[0]?.text).not.toBe(victim.replies[0]?.text);
  });
});
