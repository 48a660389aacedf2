/** What the runtime's entry points and the machine's events share about people and orders (no imports: no cycle). */

/** The person answering in a hand-off, as the operator console names them. */
export interface AgentLabel {
  name: string;
  /** As written by the operator, e.g. "supervisora". */
  role?: string;
}
/**
 * A CMMS work order changed (state or technician), as detected by the `notificar_cambios_ot` DAG or
 * the in-process poller; one recipient's copy.
 */
export interface OrderChange {
  /** Stable per change: `<order id>:<sequence>`; the dedup key of its notification. */
  changeId: string;
  orderId: number;
  number: string;
  /** The equipment's name (else its code). */
  equipment: string;
  /** The equipment's code (e.g. `CAT-002`), when the CMMS gives it. */
  equipmentCode?: string;
  state: string;
  previousState?: string;
  technicianId?: number;
  technicianName?: string;
  /** The technician before the change, when it had one (absent: none, or not told). */
  previousTechnicianId?: number;
  previousTechnicianName?: string;
  requesterId?: number;
  /** The order's closing observations, when it was completed (never the assistant's own report note). */
  observations?: string;
  /** The order's priority (Baja, Media, Alta, Crítica), when the CMMS gives it. */
  priority?: string;
  /** The problem reported (one line, at most 120 characters), when the CMMS gives it. */
  description?: string;
}

/**
 * How a notification's recipient relates to the order: who asked for it, its technician, or the
 * technician it had before the change (who lost it).
 */
export type OrderRelation = 'requester' | 'technician' | 'former_technician';
