import { describe, expect, it } from 'vitest';
import type { FanOutOutcome, NotifyChange, WatchedOrder } from '../../core/notify/types.ts';
import { uniquePrefix } from '../support/redis.ts';
import { pollerRig, until, watchedOrder } from './support.ts';

const rig = pollerRig();
const redis = rig.redis;

/** A poller over a CMMS the test scripts, on its own Redis prefix; what it was asked to tell, and its logs. */
function poller(
  options: {
    prefix?: string;
    orders?: () => Promise<WatchedOrder[]>;
    retry?: (change: NotifyChange) => boolean;
    listDeadlineMs?: number;
  } = {},
) {
  const told: NotifyChange[][] = [];
  const started = rig.start(options.prefix ?? uniquePrefix('notify-poller'), {
    intervalMs: 100,
    ...(options.orders ? { listOrders: options.orders } : {}),
    ...(options.listDeadlineMs ? { listDeadlineMs: options.listDeadlineMs } : {}),
    fanOut: async (changes): Promise<FanOutOutcome> => {
      told.push([...changes]);
      const retry = new Set(changes.filter((change) => options.retry?.(change)).map((change) => change.changeId));
      return { notified: changes.length - retry.size, duplicates: 0, retry };
    },
  });
  /** Waits until the poller handed changes over in `rounds` rounds in all. */
  const handedOver = (rounds: number) =>
    until(
      async () => told.length,
      (n) => n >= rounds,
    );
  return { ...started, told, handedOver };
}

const baselineOf = async (prefix: string) => (await redis.hgetall(`${prefix}notify:seen`)).baseline;

describe('the order-change poller', () => {
  it('records the baseline on its first round, then hands each change over once and saves it as seen', async () => {
    const { prefix, cmms, told, listedAgain, handedOver } = poller();
    // Sequences start at the baseline's time (ms): a new baseline never reuses a change id.
    const epoch = Date.parse((await until(() => baselineOf(prefix), Boolean)) ?? '');
    expect(told).toEqual([]);
    cmms.orders = [watchedOrder({ state: 'Asignada', technicianId: 10, technicianName: 'Juan Pérez' })];
    await handedOver(1);
    await listedAgain(2);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject([
      { changeId: `12:${epoch + 1}`, state: 'Asignada', previousState: 'Abierta', technicianId: 10 },
    ]);
  });

  it('keeps a change unseen while some chat could not be told, and hands it over again under the same id', async () => {
    let refusals = 2;
    const { prefix, cmms, told, listedAgain, handedOver } = poller({
      retry: (change) => change.orderId === 12 && refusals-- > 0,
    });
    const epoch = Date.parse((await until(() => baselineOf(prefix), Boolean)) ?? '');
    cmms.orders = [watchedOrder({ state: 'En Progreso' }), watchedOrder({ id: 13, number: 'OT-CORR-2' })];
    await handedOver(3);
    await listedAgain(2);
    // The new order 13 is a change too; each round hands over what is still unseen, with the same ids.
    const [twelve, thirteen] = [`12:${epoch + 1}`, `13:${epoch + 1}`];
    expect(told.map((round) => round.map((change) => change.changeId))).toEqual([
      [twelve, thirteen],
      [twelve],
      [twelve],
    ]);
  });

  it('logs a failing or hanging CMMS and goes on polling', async () => {
    let calls = 0;
    const { prefix, logs } = poller({
      listDeadlineMs: 150,
      orders: async () => {
        calls++;
        if (calls === 1) throw new Error('CMMS answered 502');
        if (calls === 2) return new Promise<WatchedOrder[]>(() => {}); // never answers
        return [watchedOrder()];
      },
    });
    await until(() => baselineOf(prefix), Boolean);
    const failures = logs.filter((record) => record.msg === 'order notification round failed');
    expect(failures.map((record) => record.level)).toEqual(['warn', 'warn']);
    expect(failures.map((record) => (record.err as { message: string }).message)).toEqual([
      'CMMS answered 502',
      expect.stringMatching(/took longer than 150 ms/),
    ]);
  });

  it('polls from one process at a time; another takes over once the holder stops', async () => {
    const prefix = uniquePrefix('notify-lease');
    const first = poller({ prefix });
    await until(() => baselineOf(prefix), Boolean);
    const second = poller({ prefix });
    await first.listedAgain(3);
    expect(second.cmms.listed).toBe(0);

    await first.poller.stop();
    await until(
      async () => second.cmms.listed,
      (n) => n >= 1,
    );
    expect(second.cmms.listed).toBeGreaterThan(0);
  });
});
