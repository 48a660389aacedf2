import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import { fanOut } from '../../core/notify/fan-out.ts';
import { pollLeaseKey } from '../../core/notify/lease.ts';
import type { OrderChange, OrderChangedEvent } from '../../core/runtime/model.ts';
import { uniquePrefix } from '../support/redis.ts';
import { makeRuntime, message, redisStores } from '../support/runtime-harness.ts';
import {
  baselineEpoch,
  orderChangedEvents,
  pollerRig,
  seenState,
  type TestPollerOptions,
  until,
  watchedOrder,
} from './support.ts';

/**
 * The poller against real Redis and the real runtime: a later state of an order is never swallowed
 * under the id of the state before it, a lease outlives a slow CMMS, a stale process writes nothing,
 * a new baseline never reuses a change id, and a bad CMMS record is skipped.
 */

const rig = pollerRig();
const redis = rig.redis;
const stores = redisStores('notify-robust');

/** Ana (CMMS user 4) requests order 12; Beto (CMMS user 10) is its technician; each has a web chat. */
const CHATS: Record<number, string[]> = { 4: ['web:ana'], 10: ['web:beto'] };
const identity = { conversationsOf: async (userId: number) => CHATS[userId] ?? [] };
const order12 = (state: string) =>
  watchedOrder({ state, technicianId: 10, technicianName: 'Beto Soto', requesterId: 4 });

interface Telling {
  /** Makes the next attempt to tell this chat fail as a busy conversation would (a retry is worth it). */
  failNext(conversationId: string, then?: () => void): void;
}

/** The runtime (Redis store, claims across pollers) with Ana and Beto in it, and a poller over a scripted CMMS. */
async function world(prefix = stores.newPrefix()) {
  const store = stores.open(prefix);
  const { runtime } = makeRuntime(store);
  await runtime.receive(message('ana', 'hola'));
  await runtime.receive(message('beto', 'hola'));
  const failing = new Map<string, (() => void) | undefined>();
  const telling: Telling = { failNext: (conversationId, then) => failing.set(conversationId, then) };
  const flaky = {
    async notifyOrderChange(conversationId: string, change: OrderChange, relation: OrderChangedEvent['relation']) {
      if (failing.has(conversationId)) {
        const then = failing.get(conversationId);
        failing.delete(conversationId);
        then?.();
        throw new UnavailableError('busy', 'conversation is too busy, try again');
      }
      return runtime.notifyOrderChange(conversationId, change, relation);
    },
  };
  const statesTold = async (conversationId: string) =>
    (await orderChangedEvents(store, conversationId)).map(
      (entry) => (entry.event as unknown as OrderChangedEvent).change.state,
    );
  return { prefix, store, telling, flaky, statesTold };
}

/** A poller on `prefix` over a CMMS that answers `cmms.orders` (after `cmms.delay`, when set): order 12, open. */
const poller = (prefix: string, options: Pick<TestPollerOptions, 'fanOut' | 'leaseMs' | 'intervalMs'> = {}) =>
  rig.start(prefix, { orders: [order12('Abierta')], ...options });

const baselineRecorded = (prefix: string) =>
  until(
    () => seenState(prefix),
    (seen) => 'baseline' in seen,
  );

describe('the poller under failures', () => {
  it('tells a later state under a new id when a chat missed the earlier one', async () => {
    const { prefix, telling, flaky, statesTold } = await world();
    const tell = (changes: readonly OrderChange[]) =>
      fanOut({ runtime: flaky, identity, logger: silentLogger }, changes);
    const { cmms, listedAgain } = poller(prefix, { fanOut: tell });
    await baselineRecorded(prefix);

    // Beto's chat is busy when "En Progreso" is told; the order is completed before the next round.
    telling.failNext('web:beto', () => {
      cmms.orders = [order12('Completada')];
    });
    cmms.orders = [order12('En Progreso')];
    await until(
      () => statesTold('web:ana'),
      (states) => states.length >= 2,
    );
    await listedAgain(2);

    // Ana, told "En Progreso" at once, hears of "Completada" too; Beto hears both, in order.
    expect(await statesTold('web:ana')).toEqual(['En Progreso', 'Completada']);
    expect(await statesTold('web:beto')).toEqual(['En Progreso', 'Completada']);
    const seen = await seenState(prefix);
    expect(Object.keys(seen).filter((field) => field.startsWith('pending:'))).toEqual([]);
  });

  it('keeps the lease through a CMMS listing slower than the lease: one process polls at a time', async () => {
    const prefix = uniquePrefix('notify-slow');
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 2_500));
    const first = poller(prefix, { leaseMs: 1_200 });
    first.cmms.delay = slow;
    await until(
      async () => first.cmms.listing,
      (listing) => listing > 0,
    );
    const second = poller(prefix, { leaseMs: 1_200 });
    second.cmms.delay = slow;
    await first.listedAgain(2);
    expect(first.cmms.mostAtOnce).toBe(1);
    expect(second.cmms.listed + second.cmms.listing).toBe(0);
  }, 30_000);

  it('writes nothing and tells nobody once another process took its lease over', async () => {
    const { prefix, statesTold } = await world();
    const told: string[] = [];
    const { cmms, logs } = poller(prefix, {
      fanOut: async (changes) => {
        told.push(...changes.map((change) => change.changeId));
        return { notified: changes.length, duplicates: 0, retry: new Set() };
      },
    });
    await baselineRecorded(prefix);
    const before = await seenState(prefix);

    // The next listing hangs until another process has taken the lease (this one's ran out meanwhile).
    let answer: () => void = () => {};
    cmms.delay = () => new Promise<void>((resolve) => (answer = resolve));
    cmms.orders = [order12('Cancelada')];
    await until(
      async () => cmms.listing,
      (listing) => listing > 0,
    );
    await redis.set(pollLeaseKey(prefix), 'another-process', 'PX', 60_000);
    answer();
    const lost = await until(async () => logs.some((record) => /lease was lost/.test(record.msg)), Boolean);
    expect(lost).toBe(true);
    expect(await seenState(prefix)).toEqual(before);
    expect(told).toEqual([]);
    expect(await statesTold('web:ana')).toEqual([]);
  });

  it('never reuses a change id after a new baseline: a chat told before hears the next change', async () => {
    const { prefix, flaky, statesTold } = await world();
    const tell = (changes: readonly OrderChange[]) =>
      fanOut({ runtime: flaky, identity, logger: silentLogger }, changes);
    const first = poller(prefix, { fanOut: tell });
    await baselineRecorded(prefix);
    first.cmms.orders = [order12('En Progreso')];
    await until(
      () => statesTold('web:ana'),
      (states) => states.length === 1,
    );
    const epoch = baselineEpoch(await seenState(prefix));
    await first.poller.stop();

    // The seen state is deleted (or the DAG takes over): the next poller takes a new baseline.
    await redis.del(`${prefix}notify:seen`);
    const second = poller(prefix, { fanOut: tell });
    second.cmms.orders = [order12('En Progreso')];
    await baselineRecorded(prefix);
    expect(baselineEpoch(await seenState(prefix))).toBeGreaterThan(epoch);
    second.cmms.orders = [order12('Completada')];
    await until(
      () => statesTold('web:ana'),
      (states) => states.length === 2,
    );
    expect(await statesTold('web:ana')).toEqual(['En Progreso', 'Completada']);
  });

  it('records an order whose number cannot be told as seen, tells the others, and logs it', async () => {
    const prefix = uniquePrefix('notify-bad-record');
    const told: string[] = [];
    const { cmms, logs, listedAgain } = poller(prefix, {
      fanOut: async (changes) => {
        told.push(...changes.map((change) => change.number));
        return { notified: changes.length, duplicates: 0, retry: new Set() };
      },
    });
    const long = watchedOrder({ id: 14, number: `OT-${'9'.repeat(120)}` });
    cmms.orders = [order12('Abierta'), long];
    await baselineRecorded(prefix);
    cmms.orders = [order12('Asignada'), { ...long, state: 'Asignada' }];
    await until(
      async () => told.length,
      (n) => n >= 1,
    );
    await listedAgain(2);
    expect(told).toEqual(['OT-CORR-1']);
    const seen = await seenState(prefix);
    expect(JSON.parse(seen['order:14'] ?? '{}')).toMatchObject({ state: 'Asignada' });
    expect(logs.filter((record) => /bad CMMS record/.test(record.msg))).toHaveLength(1);
  });
});

describe('the fan-out when a chat cannot be told now', () => {
  it('holds that chat’s later changes back too, so it never hears a newer state before an older one', async () => {
    const heard: string[] = [];
    let busy = true;
    const runtime = {
      async notifyOrderChange(conversationId: string, change: OrderChange) {
        if (conversationId === 'web:beto' && busy) {
          busy = false;
          throw new UnavailableError('busy', 'conversation is too busy, try again');
        }
        heard.push(`${conversationId} ${change.state}`);
        return { conversationId, replies: [], state: 'idle', status: 'idle' as const, duplicate: false };
      },
    };
    const change = (sequence: number, state: string): OrderChange => ({
      changeId: `12:${sequence}`,
      orderId: 12,
      number: 'OT-CORR-1',
      equipment: 'Excavadora CAT 320',
      state,
      previousState: 'Abierta',
      technicianId: 10,
      previousTechnicianId: 10,
      requesterId: 4,
    });
    const outcome = await fanOut({ runtime, identity, logger: silentLogger }, [
      change(1, 'En Progreso'),
      change(2, 'Completada'),
    ]);
    expect(heard).toEqual(['web:ana En Progreso', 'web:ana Completada']);
    expect([...outcome.retry].sort()).toEqual(['12:1', '12:2']);
  });
});
