import type { OrderChange } from '../runtime/model.ts';

/**
 * Order-change notifications: the in-process poller (embedded runner) and the `notificar_cambios_ot`
 * DAG (Airflow) detect changes of CMMS work orders by the same rules; the fan-out tells each linked
 * chat of the order's requester and technician, once per change (its id claimed in the conversation).
 */

/**
 * One detected change of an order, as the poller produces it and `POST /api/bot/notify` receives it
 * (the runtime's `OrderChange`). `previousState` is the state before (equal to `state` when only the
 * technician changed) and absent for an order that is new since the last look.
 */
export type NotifyChange = OrderChange;

/** What the detector reads of one work order (texts already cleaned: one line, bounded). */
export interface WatchedOrder {
  id: number;
  number: string;
  /** The equipment's name, else its code, else `Equipo <id>`. */
  equipment: string;
  /** The equipment's code, when the CMMS lists it (v2's `equipo_codigo`). */
  equipmentCode: string | null;
  state: string;
  technicianId: number | null;
  technicianName: string | null;
  requesterId: number | null;
  /** The closing observations (`observacionesfinales` without the assistant's report note). */
  observations: string | null;
  priority: string | null;
  /** The reported problem, cut to `TEXT_LIMITS.description`. */
  description: string | null;
}

/** What the detector remembers of an order: its signature (state, technician) and its change counter. */
export interface SeenOrder {
  state: string;
  technicianId: number | null;
  technicianName: string | null;
  /**
   * The order's last change number: the baseline's time in ms when it was recorded (so a new
   * baseline never gives an id already used), then one more per change: the next is `<id>:<sequence + 1>`.
   */
  sequence: number;
}

/** A detected change some chat has not been told of yet, kept until every chat was told. */
export interface PendingChange {
  change: NotifyChange;
  /** When it was detected (ms): one still untold a day later is given up. */
  addedAt: number;
}

/** The detector's persisted memory; `baseline` false until the first look was recorded. */
export interface SeenState {
  baseline: boolean;
  /** When the baseline was taken (ms since the epoch): where the sequences of its orders start. */
  epoch: number;
  orders: Map<number, SeenOrder>;
  /** The changes recorded but not yet told to every chat, oldest first. */
  pending: PendingChange[];
}

/** What a batch of changes came to, as the route answers it. */
export interface FanOutOutcome {
  /** Conversations told now (a turn ran). */
  notified: number;
  /** Conversations that had been told of that change already (the first answer was given back). */
  duplicates: number;
  /** Changes some chat could not be told of right now (a store outage, a busy conversation): retry them. */
  retry: Set<string>;
  /** The first error behind `retry`, to answer with (503 and its Retry-After). */
  retryError?: unknown;
}
