import { afterAll } from 'vitest';
import { createLogger } from '../../core/log.ts';
import { redisPollLease } from '../../core/notify/lease.ts';
import { type NotifyPoller, type NotifyPollerOptions, startNotifyPoller } from '../../core/notify/poller.ts';
import { redisSeenStore } from '../../core/notify/seen-store.ts';
import type { WatchedOrder } from '../../core/notify/types.ts';
import type { OrderChange } from '../../core/runtime/model.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import { signBody } from '../../core/workflows/callback.ts';
import { clearPrefix, connectRedis } from '../support/redis.ts';

export const NOTIFY_SECRET = 'notify-test-callback-secret';
export const IDENTITY_KEY = 'notify-identity-key-of-32-chars!';

/** An order as the poller watches it: OT-CORR-1, open, no technician, requested by user 7. */
export const watchedOrder = (overrides: Partial<WatchedOrder> = {}): WatchedOrder => ({
  id: 12,
  number: 'OT-CORR-1',
  equipment: 'Excavadora CAT 320',
  equipmentCode: null,
  state: 'Abierta',
  technicianId: null,
  technicianName: null,
  requesterId: 7,
  observations: null,
  priority: null,
  description: null,
  ...overrides,
});

/** A change as the runtime is told of it: OT-CORR-1 (order 12) completed, Juan Pérez's, requested by user 4. */
export const orderChange = (overrides: Partial<OrderChange> = {}): OrderChange => ({
  changeId: '12:1',
  orderId: 12,
  number: 'OT-CORR-1',
  equipment: 'Excavadora CAT 320',
  state: 'Completada',
  previousState: 'En Progreso',
  technicianId: 10,
  technicianName: 'Juan Pérez',
  requesterId: 4,
  ...overrides,
});

/** A change as the `notificar_cambios_ot` DAG posts it (snake_case). */
export function wireChange(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    change_id: '9001:1',
    order_id: 9001,
    number: 'OT-NOTIFY-1',
    equipment: 'Excavadora CAT 320',
    state: 'Completada',
    previous_state: 'En Progreso',
    technician_id: 10,
    technician_name: 'Juan Pérez',
    previous_technician_id: 10,
    previous_technician_name: 'Juan Pérez',
    requester_id: 4,
    observations: null,
    ...overrides,
  };
}

/**
 * POSTs a body to `/api/bot/notify`, signed with `secret` (or with a header of the caller's); an
 * object body without `sent_at` gets the current time, as the DAG sends it.
 */
export async function postNotify(
  url: string,
  body: unknown,
  options: { secret?: string; signature?: string | null } = {},
): Promise<Response> {
  const dated =
    body !== null && typeof body === 'object' && !Array.isArray(body) && !('sent_at' in body)
      ? { ...body, sent_at: new Date().toISOString() }
      : body;
  const raw = typeof dated === 'string' ? dated : JSON.stringify(dated);
  const signature =
    options.signature === undefined ? signBody(options.secret ?? NOTIFY_SECRET, raw) : options.signature;
  return fetch(`${url}/api/bot/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-omnibot-signature': signature } : {}) },
    body: raw,
    signal: AbortSignal.timeout(30_000),
  });
}

/** The `order.changed` turns a conversation took (the event log). */
export async function orderChangedEvents(store: ConversationStore, conversationId: string) {
  return (await store.readEvents(conversationId, 200)).filter((entry) => entry.event.type === 'order.changed');
}

/** The poller's record in Redis (`<prefix>notify:seen`): `baseline`, and `order:<id>` with each order's change sequence. */
export async function seenState(prefix: string): Promise<Record<string, string>> {
  const redis = connectRedis();
  try {
    return await redis.hgetall(`${prefix}notify:seen`);
  } finally {
    await redis.quit();
  }
}

/**
 * The order's changes the poller recorded since its baseline (sequences start at the baseline's time
 * in ms): 0 for the baseline, -1 while it has not seen the order.
 */
export async function seenSequence(prefix: string, orderId: number): Promise<number> {
  const seen = await seenState(prefix);
  const raw = seen[`order:${orderId}`];
  return raw ? Number(JSON.parse(raw).sequence ?? 0) - baselineEpoch(seen) : -1;
}

/** When the poller took its baseline (ms): where every order's sequence starts. */
export const baselineEpoch = (seen: Record<string, string>): number => Date.parse(seen.baseline ?? '') || 0;

/** Polls `read` until `done` holds (at most `timeoutMs`); the last value either way. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until the poller saved change `sequence` of the order (at most `timeoutMs`); the sequence it last read. */
export function untilSeen(prefix: string, orderId: number, sequence: number, timeoutMs?: number): Promise<number> {
  return until(
    () => seenSequence(prefix, orderId),
    (seen) => seen === sequence,
    timeoutMs,
  );
}

/** A CMMS the test scripts: what it lists (`orders`, after `delay` when set) and how often it was asked. */
export interface ScriptedCmms {
  orders: WatchedOrder[];
  /** Listings answered. */
  listed: number;
  /** Listings under way now, and the most there ever were at once. */
  listing: number;
  mostAtOnce: number;
  delay?: () => Promise<void>;
}

export interface TestPollerOptions {
  /** What the scripted CMMS lists at first (default: `watchedOrder()`). */
  orders?: WatchedOrder[];
  /** Lists in place of the scripted CMMS (which then counts nothing). */
  listOrders?: NotifyPollerOptions['listOrders'];
  /** Default: nobody to tell, nothing to retry. */
  fanOut?: NotifyPollerOptions['fanOut'];
  intervalMs?: number;
  leaseMs?: number;
  listDeadlineMs?: number;
}

/**
 * The pollers of a test file, on real Redis: `start(prefix)` runs one over a scripted CMMS on its own
 * key prefix; after the file every poller is stopped and every prefix cleared.
 */
export function pollerRig() {
  const redis = connectRedis();
  const prefixes: string[] = [];
  const pollers: NotifyPoller[] = [];
  afterAll(async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
    await redis.quit();
    for (const prefix of prefixes) await clearPrefix(prefix);
  });

  function start(prefix: string, options: TestPollerOptions = {}) {
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
    const cmms: ScriptedCmms = { orders: options.orders ?? [watchedOrder()], listed: 0, listing: 0, mostAtOnce: 0 };
    const logs: Array<{ level: string; msg: string; err?: unknown }> = [];
    const running = startNotifyPoller({
      intervalMs: options.intervalMs ?? 60,
      listOrders:
        options.listOrders ??
        (async () => {
          cmms.listing++;
          cmms.mostAtOnce = Math.max(cmms.mostAtOnce, cmms.listing);
          try {
            await cmms.delay?.();
            return cmms.orders;
          } finally {
            cmms.listing--;
            cmms.listed++;
          }
        }),
      ...(options.listDeadlineMs ? { listDeadlineMs: options.listDeadlineMs } : {}),
      seen: redisSeenStore(redis, prefix),
      lease: redisPollLease(redis, prefix, options.leaseMs ?? 5_000),
      fanOut: options.fanOut ?? (async () => ({ notified: 0, duplicates: 0, retry: new Set() })),
      logger: createLogger('debug', {}, (line) => logs.push(JSON.parse(line))),
    });
    pollers.push(running);
    /** Waits until the CMMS was listed `rounds` more times: the rounds before them have run to the end. */
    const listedAgain = async (rounds: number) => {
      const from = cmms.listed;
      await until(
        async () => cmms.listed,
        (listed) => listed >= from + rounds,
        30_000,
      );
    };
    return { prefix, cmms, logs, poller: running, listedAgain };
  }

  return { redis, start };
}
