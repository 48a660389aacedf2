import type { OrderChange, OrderChangedEvent } from '../core/runtime/model.ts';
import { foldText } from '../lib/fold-text.ts';
import { oneLine } from '../lib/plain-text.ts';
import type { Reply, TemplateParams } from '../lib/reply.ts';
import { workflowConstants } from '../workflows/catalog.ts';

/**
 * The Spanish texts of the order-change notifications (merged into `replies`; the switch's are in
 * notification-switch-replies.ts).
 */

const COMPLETED = workflowConstants('completar_ot').state;

const sameText = (a: string, b: string) => foldText(a) === foldText(b);

/** Added to the first notification a conversation gets. */
export const NOTIFICATIONS_HINT = 'Si no quieres recibir estos avisos, escribe "no quiero notificaciones".';

/** The change moved the order to another state (its previous state is known and differs). */
const stateChanged = (change: OrderChange) =>
  change.previousState !== undefined && !sameText(change.previousState, change.state);

/**
 * The change gave the order a technician it did not have. The previous technician is the one the
 * detector saw before the change (none: absent): another id, else another name, or none before.
 */
export function technicianChanged(change: OrderChange): boolean {
  if (change.technicianId === undefined && !change.technicianName) return false;
  if (change.previousTechnicianId !== undefined && change.technicianId !== undefined) {
    return change.previousTechnicianId !== change.technicianId;
  }
  if (change.previousTechnicianName && change.technicianName) {
    return !sameText(change.previousTechnicianName, change.technicianName);
  }
  return change.previousTechnicianId === undefined && !change.previousTechnicianName;
}

/** The template's parameters (order, equipment, state), when all three are known. */
export function templateOf(orderNumber: unknown, equipment: unknown, state: unknown): TemplateParams | undefined {
  const known = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';
  return known(orderNumber) && known(equipment) && known(state) ? { orderNumber, equipment, state } : undefined;
}

/** "OT-CORR-1 del equipo Excavadora CAT 320" (the equipment left out when unknown). */
const orderOf = (change: OrderChange) =>
  `${change.number}${change.equipment.trim() ? ` del equipo ${change.equipment}` : ''}`;

const sentence = (text: string) => (/[.!?…]$/.test(text) ? text : `${text}.`);

/** "… pasó a Completada. Observaciones: … Técnico: Juan Pérez." (`technician`: name the technician). */
function stateText(change: OrderChange, technician: boolean): string {
  const observations =
    change.observations?.trim() && sameText(change.state, COMPLETED)
      ? ` Observaciones: ${sentence(change.observations.trim())}`
      : '';
  const who = technician && change.technicianName ? ` Técnico: ${change.technicianName}.` : '';
  return `La orden ${orderOf(change)} pasó a ${change.state}.${observations}${who}`;
}

/**
 * A new assignment, with what a technician needs to plan it when the CMMS gives it: "Se te asignó la
 * orden OT-… del equipo CAT-002 — Excavadora CAT 336 (estado Asignada). Prioridad Crítica. Problema
 * reportado: Rotura de manguera hidráulica en el brazo."
 */
function assignedText(change: OrderChange): string {
  const code = change.equipmentCode?.trim();
  const withCode =
    code && !sameText(code, change.equipment) ? { ...change, equipment: `${code} — ${change.equipment}` } : change;
  const priority = change.priority?.trim() ? ` Prioridad ${sentence(change.priority.trim())}` : '';
  const problem = change.description?.trim() ? ` Problema reportado: ${sentence(change.description.trim())}` : '';
  return `Se te asignó la orden ${orderOf(withCode)} (estado ${change.state}).${priority}${problem}`;
}

/** "La orden … ya no está asignada a ti (ahora: Juan Pérez)." for the technician who lost it. */
function formerTechnicianText(change: OrderChange): string {
  const now = change.technicianName?.trim() ? ` (ahora: ${change.technicianName.trim()})` : '';
  return `La orden ${orderOf(change)} ya no está asignada a ti${now}.`;
}

/**
 * The order's technician is the one told: the chat's CMMS user (`recipient`), or the requester told
 * as such when they are the technician too (nobody is named to themselves).
 */
function toldTechnician(change: OrderChange, relation: OrderChangedEvent['relation'], recipient?: number): boolean {
  if (relation === 'technician') return true;
  if (change.technicianId === undefined) return false;
  return change.technicianId === recipient || change.technicianId === change.requesterId;
}

/**
 * What the change is to this recipient: a new assignment to the technician, the order gone to another
 * technician (or none) for the one who had it, a new state, a new technician.
 */
function changeText(change: OrderChange, relation: OrderChangedEvent['relation'], recipient?: number): string {
  if (relation === 'former_technician') return formerTechnicianText(change);
  const technician = toldTechnician(change, relation, recipient);
  if (relation === 'technician') return technicianChanged(change) ? assignedText(change) : stateText(change, false);
  // The state stayed: what changed is the technician (another one, or none any more).
  if (!stateChanged(change) && change.technicianName) {
    return technician ? assignedText(change) : `La orden ${orderOf(change)} quedó asignada a ${change.technicianName}.`;
  }
  if (!stateChanged(change) && change.previousTechnicianName)
    return `La orden ${orderOf(change)} quedó sin técnico asignado.`;
  return stateText(change, !technician);
}

/** The bounds of a change's texts, as `POST /api/bot/notify` applies them. */
const BOUNDS = {
  number: 100,
  equipment: 200,
  equipmentCode: 100,
  state: 100,
  previousState: 100,
  technicianName: 200,
  previousTechnicianName: 200,
  observations: 2000,
  priority: 50,
  /** The reported problem, as an assignment quotes it ("…" marks a cut). */
  description: 120,
} as const;

/**
 * The change's CMMS texts made safe to say (the route and the poller clean them already; this is the
 * last line of defence): one line each (no line break to fake another speaker), no control or
 * bidirectional character, bounded as the route bounds them.
 */
function plainChange(change: OrderChange): OrderChange {
  const plain = { ...change };
  for (const key of Object.keys(BOUNDS) as (keyof typeof BOUNDS)[]) {
    const text = change[key];
    if (typeof text === 'string') plain[key] = oneLine(text, BOUNDS[key]);
  }
  return plain;
}

export const notificationReplies = {
  /**
   * An order of the user changed; `first`: the conversation's first notification (says how to stop
   * them); `recipient`: the CMMS user the chat is linked to, when known.
   */
  orderChanged: (
    told: OrderChange,
    relation: OrderChangedEvent['relation'],
    first: boolean,
    recipient?: number,
  ): Reply => {
    const change = plainChange(told);
    const template = templateOf(change.number, change.equipment, change.state);
    return {
      text: `${changeText(change, relation, recipient)}${first ? `\n${NOTIFICATIONS_HINT}` : ''}`,
      kind: 'notification',
      ...(template ? { template } : {}),
    };
  },
};
