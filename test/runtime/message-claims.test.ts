import { afterAll, describe, expect, it } from 'vitest';
import { receiveInBackground } from '../../core/delivery/inbound.ts';
import { InProgressError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import { createRedisStore } from '../../core/store/redis-store.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import type { EquipmentSummary } from '../../core/workflows/results.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';
import { CAT_001, inbound, makeRuntime, message } from '../support/runtime-harness.ts';

const prefixes: string[] = [];
const stores: ConversationStore[] = [];
afterAll(async () => {
  for (const store of stores) await store.close().catch(() => undefined);
  for (const prefix of prefixes) await clearPrefix(prefix);
});

function redisStore(prefix: string): ConversationStore {
  const store = createRedisStore({
    redis: connectRedis(),
    prefix,
    conversationTtlSeconds: 3600,
    transcriptLimit: 200,
    eventLimit: 1000,
  });
  stores.push(store);
  return store;
}

function newPrefix() {
  const prefix = uniquePrefix('claims');
  prefixes.push(prefix);
  return prefix;
}

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

// Leases short enough for a quick test, long enough for heartbeats on a busy machine (renewed every 500 ms).
const FAST = { claimLeaseMs: 1_500, actorTimeoutMs: 60_000 };

describe('a message whose first attempt died', () => {
  it('is processed by the retry, with the real answer, once the dead holder’s claim expires', async () => {
    const prefix = newPrefix();
    const survivor = makeRuntime(redisStore(prefix), { ...FAST, duplicateWaitMs: 15_000 });
    await survivor.runtime.receive(message('ana-claims', 'reportar falla'));

    const dying = freezable(redisStore(prefix));
    const lookup = heldLookup();
    const doomed = makeRuntime(dying.store, { ...FAST, cmms: { findEquipment: lookup.findEquipment } });
    const delivery = message('ana-claims', 'CAT-001');
    void doomed.runtime.receive(delivery); // never ends: its process "dies" mid-turn
    await lookup.entered;
    dying.freeze();

    const retry = await survivor.runtime.receive({ ...delivery });
    expect(retry.duplicate).toBe(false);
    expect(retry.replies[0]?.text).toMatch(/Describe la falla/);
    expect(retry.state).toBe('reporting.description');
    expect(inbound(await survivor.runtime.transcript('web:ana-claims')).filter((t) => t === 'CAT-001')).toHaveLength(1);
  });

  it('is processed by a WhatsApp/Telegram-style background redelivery after the webhook answered 200', async () => {
    const prefix = newPrefix();
    const survivor = makeRuntime(redisStore(prefix), { ...FAST, duplicateWaitMs: 50 });
    await survivor.runtime.receive(message('beto-claims', 'reportar falla'));
    const dying = freezable(redisStore(prefix));
    const lookup = heldLookup();
    const doomed = makeRuntime(dying.store, { ...FAST, cmms: { findEquipment: lookup.findEquipment } });
    const delivery = message('beto-claims', 'CAT-001', { channel: 'whatsapp' });
    void doomed.runtime.receive(delivery);
    await lookup.entered;
    // Alive for a while (the redelivery keeps being told "in progress"), then it dies.
    setTimeout(() => dying.freeze(), 1_000);

    await receiveInBackground(survivor.runtime, [{ ...delivery }], silentLogger, { delaysMs: [] });
    expect(survivor.delivered.map((m) => m.text)).toEqual([
      expect.stringMatching(/Vamos a reportar una falla/),
      expect.stringMatching(/Describe la falla/),
    ]);
    expect((await survivor.runtime.getConversation('web:beto-claims'))?.state).toBe('reporting.description');
  });
});

describe('a retry while the first attempt is alive', () => {
  it('gets a 409 "in progress" with Retry-After, not an empty answer, and later the real answer', async () => {
    const prefix = newPrefix();
    const lookup = heldLookup();
    const holder = makeRuntime(redisStore(prefix), { ...FAST, cmms: { findEquipment: lookup.findEquipment } });
    const other = makeRuntime(redisStore(prefix), { ...FAST, duplicateWaitMs: 4_000 });
    await holder.runtime.receive(message('carmen-claims', 'reportar falla'));
    const delivery = message('carmen-claims', 'CAT-001');
    const first = holder.runtime.receive(delivery);
    await lookup.entered;

    // The holder's turn outlives its lease: its heartbeat keeps the claim, nobody takes it over.
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
    const prefix = newPrefix();
    const lookup = heldLookup();
    const holder = makeRuntime(redisStore(prefix), { ...FAST, cmms: { findEquipment: lookup.findEquipment } });
    const other = makeRuntime(redisStore(prefix), { ...FAST, duplicateWaitMs: 50 });
    await holder.runtime.receive(message('dario-claims', 'reportar falla'));
    const delivery = message('dario-claims', 'CAT-001', { channel: 'telegram' });
    const first = holder.runtime.receive(delivery);
    await lookup.entered;
    setTimeout(() => lookup.release(), 2_000);

    await receiveInBackground(other.runtime, [{ ...delivery }], silentLogger, { delaysMs: [] });
    await first;
    expect(other.delivered).toEqual([]);
    expect(holder.delivered.at(-1)?.text).toMatch(/Describe la falla/);
    expect((await other.runtime.getConversation('web:dario-claims'))?.version).toBe(2);
  });
});

describe('a message id containing ":"', () => {
  it('never reaches another conversation’s answer', async () => {
    const { runtime } = makeRuntime(redisStore(newPrefix()));
    const victim = await runtime.receive(message('eva', 'hola', { id: 'b:c' }));
    const other = await runtime.receive(message('eva:b', 'ayuda', { id: 'c' }));
    expect(victim.duplicate).toBe(false);
    expect(other.duplicate).toBe(false);
    expect(other.conversationId).toBe('web:eva:b');
    expect(other.replies[0]?.text).not.toBe(victim.replies[0]?.text);
  });
});
