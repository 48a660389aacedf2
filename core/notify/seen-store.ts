import { isRecord } from '../../lib/is-record.ts';
import type { RedisClient } from '../redis-connection.ts';
import { notifyKeys } from './keys.ts';
import type { LeaseFence } from './lease.ts';
import type { NotifyChange, PendingChange, SeenOrder, SeenState } from './types.ts';

/**
 * The detector's memory: each order's signature and change sequence, when the baseline was taken,
 * and the changes not yet told to every chat (pending). A round records what it detected (the new
 * sequences and the new changes as pending) BEFORE it tells anyone, then forgets each pending change
 * once every chat was told of it. In Redis (one hash, `<prefix>notify:seen`) every gateway process
 * and restart shares it; in memory, this process only (a restart records a new baseline).
 */
export interface SeenStore {
  load(): Promise<SeenState>;
  /**
   * Records a look: its orders' signatures (a sequence is never lowered), the baseline's time on the
   * first look, and the changes to tell. With a fence, only while that lease is held: false when it
   * was lost (another process polls now; nothing was written).
   */
  record(look: SeenRecord, fence?: LeaseFence): Promise<boolean>;
  /** Forgets pending changes: every chat was told (or they were given up). */
  forget(changeIds: readonly string[]): Promise<void>;
}

export interface SeenRecord {
  baseline: boolean;
  /** The baseline's time (ms), recorded on the first look. */
  epoch: number;
  updates: ReadonlyMap<number, SeenOrder>;
  pending?: readonly PendingChange[];
}

/** The hash field that marks the baseline recorded (its value: when, ISO 8601 to the ms). */
const BASELINE_FIELD = 'baseline';
const ORDER_FIELD = 'order:';
const PENDING_FIELD = 'pending:';

export function memorySeenStore(): SeenStore {
  let epoch: number | null = null;
  const orders = new Map<number, SeenOrder>();
  const pending = new Map<string, PendingChange>();
  return {
    async load() {
      return { baseline: epoch !== null, epoch: epoch ?? 0, orders: new Map(orders), pending: oldestFirst(pending) };
    },
    async record(look) {
      for (const [id, seen] of look.updates) {
        if ((orders.get(id)?.sequence ?? -1) <= seen.sequence) orders.set(id, { ...seen });
      }
      for (const entry of look.pending ?? []) pending.set(entry.change.changeId, entry);
      if (look.baseline) epoch ??= look.epoch;
      return true;
    },
    async forget(changeIds) {
      for (const id of changeIds) pending.delete(id);
    },
  };
}

/**
 * KEYS: the seen hash, the lease key. ARGV: the lease token ('' = no fence), the baseline's time
 * ('' = none), [[order field, sequence, value], ...], [[pending field, value], ...] (JSON). Writes
 * nothing unless the lease is held; an order's stored sequence is never lowered.
 */
const RECORD = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('HSETNX', KEYS[1], 'baseline', ARGV[2]) end
for _, order in ipairs(cjson.decode(ARGV[3])) do
  local stored = redis.call('HGET', KEYS[1], order[1])
  local ahead = false
  if stored then
    local ok, seen = pcall(cjson.decode, stored)
    ahead = ok and type(seen) == 'table' and type(seen.sequence) == 'number' and seen.sequence > order[2]
  end
  if not ahead then redis.call('HSET', KEYS[1], order[1], order[3]) end
end
for _, entry in ipairs(cjson.decode(ARGV[4])) do redis.call('HSET', KEYS[1], entry[1], entry[2]) end
return 1`;

/** `cluster`: the key shares the poller lease's hash tag (RECORD reads the lease: keys.ts). */
export function redisSeenStore(redis: RedisClient, prefix: string, cluster = false): SeenStore {
  const key = notifyKeys(prefix, cluster).seen;
  return {
    async load() {
      const fields = await redis.hgetall(key);
      const orders = new Map<number, SeenOrder>();
      const pending = new Map<string, PendingChange>();
      for (const [field, value] of Object.entries(fields)) {
        if (field.startsWith(ORDER_FIELD)) {
          const id = Number(field.slice(ORDER_FIELD.length));
          const seen = seenOrderOf(value);
          if (Number.isSafeInteger(id) && seen) orders.set(id, seen);
        } else if (field.startsWith(PENDING_FIELD)) {
          const entry = pendingOf(value);
          if (entry) pending.set(entry.change.changeId, entry);
        }
      }
      const baseline = Object.hasOwn(fields, BASELINE_FIELD);
      const epoch = baseline ? Date.parse(fields[BASELINE_FIELD] ?? '') : Number.NaN;
      return { baseline, epoch: Number.isFinite(epoch) ? epoch : 0, orders, pending: oldestFirst(pending) };
    },
    async record(look, fence) {
      const orders = [...look.updates].map(([id, seen]) => [
        `${ORDER_FIELD}${id}`,
        seen.sequence,
        JSON.stringify(seen),
      ]);
      const pending = (look.pending ?? []).map((entry) => [
        `${PENDING_FIELD}${entry.change.changeId}`,
        JSON.stringify(entry),
      ]);
      const written = await redis.eval(
        RECORD,
        2,
        key,
        fence?.key ?? key,
        fence?.token ?? '',
        look.baseline ? new Date(look.epoch).toISOString() : '',
        JSON.stringify(orders),
        JSON.stringify(pending),
      );
      return written === 1;
    },
    async forget(changeIds) {
      // Unfenced on purpose: a change every chat was told of may go whoever holds the lease.
      if (changeIds.length) await redis.hdel(key, ...changeIds.map((id) => `${PENDING_FIELD}${id}`));
    },
  };
}

/** Pending changes in the order they were detected (then by order and sequence). */
function oldestFirst(pending: ReadonlyMap<string, PendingChange>): PendingChange[] {
  const sequence = (change: NotifyChange) => Number(change.changeId.split(':')[1]);
  return [...pending.values()].sort(
    (a, b) => a.addedAt - b.addedAt || a.change.orderId - b.change.orderId || sequence(a.change) - sequence(b.change),
  );
}

/** A stored entry, or null when it is not one (a hand-edited or foreign value is ignored). */
function seenOrderOf(value: string): SeenOrder | null {
  const parsed = parseJson(value);
  if (!isRecord(parsed) || typeof parsed.state !== 'string' || !Number.isSafeInteger(parsed.sequence)) return null;
  const technicianId = Number.isSafeInteger(parsed.technicianId) ? (parsed.technicianId as number) : null;
  const technicianName = typeof parsed.technicianName === 'string' ? parsed.technicianName : null;
  return { state: parsed.state, technicianId, technicianName, sequence: parsed.sequence as number };
}

function pendingOf(value: string): PendingChange | null {
  const parsed = parseJson(value);
  if (!isRecord(parsed) || !isRecord(parsed.change) || typeof parsed.addedAt !== 'number') return null;
  const change = parsed.change;
  const texts = [change.changeId, change.number, change.equipment, change.state];
  if (!texts.every((text) => typeof text === 'string') || !Number.isSafeInteger(change.orderId)) return null;
  return { change: change as unknown as NotifyChange, addedAt: parsed.addedAt };
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return null;
  }
}
