import type { Redis } from 'ioredis';
import { isRecord } from '../../lib/is-record.ts';
import type { SeenOrder, SeenState } from './types.ts';

/**
 * The detector's memory of the orders it saw (signature and change counter per order, and whether
 * the baseline was recorded). In Redis (one hash, `<prefix>notify:seen`) every gateway process and
 * restart shares it; in memory, this process only (a restart records a new baseline).
 */
export interface SeenStore {
  load(): Promise<SeenState>;
  /** Records these orders (and the baseline) at once; saved only once their changes were told. */
  save(updates: ReadonlyMap<number, SeenOrder>): Promise<void>;
}

/** The hash field that marks the baseline recorded (its value: when). */
const BASELINE_FIELD = 'baseline';
const ORDER_FIELD = 'order:';

export function memorySeenStore(): SeenStore {
  let baseline = false;
  const orders = new Map<number, SeenOrder>();
  return {
    async load() {
      return { baseline, orders: new Map(orders) };
    },
    async save(updates) {
      for (const [id, seen] of updates) orders.set(id, { ...seen });
      baseline = true;
    },
  };
}

export function redisSeenStore(redis: Redis, prefix: string): SeenStore {
  const key = `${prefix}notify:seen`;
  return {
    async load() {
      const fields = await redis.hgetall(key);
      const orders = new Map<number, SeenOrder>();
      for (const [field, value] of Object.entries(fields)) {
        if (!field.startsWith(ORDER_FIELD)) continue;
        const id = Number(field.slice(ORDER_FIELD.length));
        const seen = seenOrderOf(value);
        if (Number.isSafeInteger(id) && seen) orders.set(id, seen);
      }
      return { baseline: Object.hasOwn(fields, BASELINE_FIELD), orders };
    },
    async save(updates) {
      const multi = redis.multi();
      const fields = [...updates].flatMap(([id, seen]) => [`${ORDER_FIELD}${id}`, JSON.stringify(seen)]);
      if (fields.length) multi.hset(key, ...fields);
      // When the baseline was recorded: the first save's time stays.
      multi.hsetnx(key, BASELINE_FIELD, new Date().toISOString());
      for (const [error] of (await multi.exec()) ?? []) if (error) throw error;
    },
  };
}

/** A stored entry, or null when it is not one (a hand-edited or foreign value is ignored). */
function seenOrderOf(value: string): SeenOrder | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || typeof parsed.state !== 'string' || !Number.isSafeInteger(parsed.sequence)) return null;
  const technicianId = Number.isSafeInteger(parsed.technicianId) ? (parsed.technicianId as number) : null;
  const technicianName = typeof parsed.technicianName === 'string' ? parsed.technicianName : null;
  return { state: parsed.state, technicianId, technicianName, sequence: parsed.sequence as number };
}
