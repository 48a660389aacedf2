import type { OrderChange, OrderChangedEvent } from '../core/runtime/model.ts';
import { foldText } from '../lib/fold-text.ts';
import type { Reply, TemplateParams } from '../lib/reply.ts';
import { workflowConstants } from '../workflows/catalog.ts';

/** The Spanish texts of the order-change notifications and of their switch (merged into `replies`). */

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
  return `La OT ${orderOf(change)} pasó a ${change.state}.${observations}${who}`;
}

/** What the change is to this recipient: a new assignment to the technician, a new state, a new technician. */
function changeText(change: OrderChange, relation: OrderChangedEvent['relation']): string {
  if (relation === 'technician') {
    return technicianChanged(change)
      ? `Se te asignó la OT ${orderOf(change)} (estado ${change.state}).`
      : stateText(change, false);
  }
  // The state stayed: what changed is the technician (another one, or none any more).
  if (!stateChanged(change) && change.technicianName) {
    return `La OT ${orderOf(change)} quedó asignada a ${change.technicianName}.`;
  }
  if (!stateChanged(change) && change.previousTechnicianName)
    return `La OT ${orderOf(change)} quedó sin técnico asignado.`;
  return stateText(change, true);
}

export const notificationReplies = {
  /** An order of the user changed; `first`: the conversation's first notification (says how to stop them). */
  orderChanged: (change: OrderChange, relation: OrderChangedEvent['relation'], first: boolean): Reply => {
    const template = templateOf(change.number, change.equipment, change.state);
    return {
      text: `${changeText(change, relation)}${first ? `\n${NOTIFICATIONS_HINT}` : ''}`,
      kind: 'notification',
      ...(template ? { template } : {}),
    };
  },
  notificationsOff: (): Reply => ({
    text: 'Listo, ya no te avisaré cuando cambien tus órdenes de trabajo. Si quieres volver a recibir los avisos, escribe "activar notificaciones".',
  }),
  notificationsOn: (): Reply => ({
    text: 'Listo, te avisaré por aquí cuando cambie el estado o el técnico de tus órdenes de trabajo. Si no quieres recibir estos avisos, escribe "no quiero notificaciones".',
  }),
};
