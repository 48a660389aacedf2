import { isRecord } from '../../lib/is-record.ts';
import catalog from '../../workflows/catalog.json' with { type: 'json' };

/**
 * Finding a work order without reading the whole list (the API has no filter on `numeroot`): a
 * short-lived cache number → primary key, filled from every page of `ordenes-trabajo/` the client
 * reads anyway, so a status check of a known number is one `GET ordenes-trabajo/{id}/`. The DAGs
 * have the same rules (`dags/omnibot_common/order_ids.py`); bounds are the catalog's `cmms` section.
 */

/** How long a number → id pair is trusted (a detail read checks it anyway). */
export const ORDER_ID_CACHE_MS: number = catalog.cmms.orderIdCacheSeconds * 1000;
/** Pairs kept at most; the oldest go first. */
export const ORDER_ID_CACHE_SIZE: number = catalog.cmms.orderIdCacheSize;

/** A work-order number as compared: trimmed, upper case (`ot-corr-1` is `OT-CORR-1`). */
export function orderNumberKey(value: unknown): string {
  return String(value ?? '')
    .trim()
    .toUpperCase();
}

/**
 * The primary-key rule: a number that is only digits, alone or after `OT` ("18", "OT-18", "OT 18",
 * "ot_18"), may be an order's id (`idordentrabajo`), so it is tried as one first: `GET
 * ordenes-trabajo/18/`; only a 404 (or an answer that is no order) falls back to the search by
 * `numeroot`. Up to 9 digits; anything else is no primary key.
 */
const PRIMARY_KEY = /^(?:OT *[-_]? *)?([0-9]{1,9})$/;

export function primaryKeyOf(numeroot: string): number | undefined {
  const digits = PRIMARY_KEY.exec(orderNumberKey(numeroot))?.[1];
  const id = digits === undefined ? 0 : Number(digits);
  return id > 0 ? id : undefined;
}

/** An order's primary key when it is a positive integer (a number or its digits), else undefined. */
function idOf(order: Record<string, unknown>): number | undefined {
  const raw = order.idordentrabajo;
  const id = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export interface OrderIdCacheOptions {
  ttlMs?: number;
  size?: number;
  now?: () => number;
}

/** Number (upper case) → id, each pair for `ttlMs`, `size` pairs at most (insertion order evicts). */
export class OrderIdCache {
  readonly #ids = new Map<string, { id: number; at: number }>();
  readonly #ttlMs: number;
  readonly #size: number;
  readonly #now: () => number;

  constructor(options: OrderIdCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? ORDER_ID_CACHE_MS;
    this.#size = Math.max(1, options.size ?? ORDER_ID_CACHE_SIZE);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#ids.size;
  }

  /** The id of a number seen within the TTL; an expired pair is dropped. */
  get(numeroot: string): number | undefined {
    const key = orderNumberKey(numeroot);
    const entry = this.#ids.get(key);
    if (!entry) return undefined;
    if (this.#now() - entry.at >= this.#ttlMs) {
      this.#ids.delete(key);
      return undefined;
    }
    return entry.id;
  }

  /** Remembers every order with a number and an id (items that are not orders are skipped). */
  remember(orders: readonly unknown[]): void {
    const at = this.#now();
    for (const order of orders) {
      if (!isRecord(order)) continue;
      const key = orderNumberKey(order.numeroot);
      const id = idOf(order);
      if (!key || id === undefined) continue;
      this.#ids.delete(key); // re-inserted last: the newest is evicted last
      this.#ids.set(key, { id, at });
    }
    for (const oldest of this.#ids.keys()) {
      if (this.#ids.size <= this.#size) break;
      this.#ids.delete(oldest);
    }
  }

  forget(numeroot: string): void {
    this.#ids.delete(orderNumberKey(numeroot));
  }
}
