import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { redisPollLease } from '../../core/notify/lease.ts';
import { type NotifyPoller, startNotifyPoller } from '../../core/notify/poller.ts';
import { redisSeenStore } from '../../core/notify/seen-store.ts';
import type { FanOutOutcome, NotifyChange, WatchedOrder } from '../../core/notify/types.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';
import { until, watchedOrder } from './support.ts';

const redis = connectRedis();
const prefixes: string[] = [];
const pollers: NotifyPoller[] = [];
afterAll(async () => {
  await Promise.all(pollers.map((poller) => poller.stop()));
  await redis.quit();
  for (const prefix of prefixes) await clearPrefix(prefix);
});

/** A poller over a CMMS the test scripts, on its own Redis prefix; what it was asked to tell, and its logs. */
function poller(
  options: {
    prefix?: string;
    orders?: () => Promise<WatchedOrder[]>;
    retry?: (change: NotifyChange) => boolean;
    listDeadlineMs?: number;
  } = {},
) {
  const prefix = options.prefix ?? uniquePrefix('notify-poller');
  prefixes.push(prefix);
  const cmms = { orders: [watchedOrder()], listed: 0 };
  const told: NotifyChange[][] = [];
  const logs: Array<{ level: string; msg: string; err?: unknown }> = [];
  const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line)));
  const running = startNotifyPoller({
    intervalMs: 100,
    listOrders:
      options.orders ??
      (async () => {
        cmms.listed++;
        return cmms.orders;
      }),
    ...(options.listDeadlineMs ? { listDeadlineMs: options.listDeadlineMs } : {}),
    seen: redisSeenStore(redis, prefix),
    lease: redisPollLease(redis, prefix, 5_000),
    fanOut: async (changes): Promise<FanOutOutcome> => {
      told.push([...changes]);
      const retry = new Set(changes.filter((change) => options.retry?.(change)).map((change) => change.changeId));
      return { notified: changes.length - retry.size, duplicates: 0, retry };
    },
    logger,
  });
  pollers.push(running);
  /** Waits until the CMMS was listed `rounds` more times: the rounds before them have run to the end. */
  const listedAgain = async (rounds: number) => {
    const from = cmms.listed;
    await until(
      async () => cmms.listed,
      (listed) => listed >= from + rounds,
    );
  };
  /** Waits until the poller handed changes over in `rounds` rounds in all. */
  const handedOver = (rounds: number) =>
    until(
      async () => told.length,
      (n) => n >= rounds,
    );
  return { prefix, cmms, told, logs, poller: running, listedAgain, handedOver };
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
