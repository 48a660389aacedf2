import type { Reply } from '../lib/reply.ts';
import { workflowParameter } from '../workflows/catalog.ts';
import type { WorkOrderSummary } from '../workflows/cmms.ts';
import type { OrderTask, TechnicianChoice } from './conversation/types.ts';
import type { Intent } from './intents.ts';

/** The Spanish texts of the technician's and the supervisor's actions on orders (merged into `replies`). */

/** The least length of a completion's final observations (the catalog's, checked by both runners too). */
export const OBSERVATIONS_MIN_LENGTH = workflowParameter('completar_ot', 'observaciones').minLength ?? 0;

/** A button's title of at most 20 characters (the smallest limit of the channels). */
const title = (name: string) => (name.length <= 20 ? name : `${name.slice(0, 19).trimEnd()}…`);

const confirmButtons = [
  { id: 'confirm:yes', title: 'Confirmar' },
  { id: 'confirm:no', title: 'Cancelar' },
];

export const orderReplies = {
  /** A role that may not do it: who can. */
  notForYourRole: (intent: Intent): Reply => ({
    text:
      intent === 'my_assigned_orders'
        ? 'Las OT asignadas son las de los técnicos. Escribe "mis OT" para ver las tuyas.'
        : intent === 'unassigned_orders' || intent === 'assign_order'
          ? 'Ver y asignar las órdenes sin técnico es para supervisores y administradores. Si necesitas que asignen una orden, escribe "hablar con un supervisor".'
          : 'Iniciar y completar órdenes es para técnicos: si una orden debe avanzar, pídeselo al técnico asignado o a un supervisor. Escribe "mis OT" para ver las tuyas.',
  }),
  askOrderFor: (intent: 'start_order' | 'complete_order' | 'assign_order'): Reply => ({
    text:
      intent === 'start_order'
        ? '¿Qué orden quieres iniciar? Escríbela con su número, por ejemplo: "iniciar OT-CORR-1".'
        : intent === 'complete_order'
          ? '¿Qué orden quieres completar? Escríbela con su número, por ejemplo: "completar OT-CORR-1".'
          : '¿Qué orden quieres asignar? Escríbela con su número y el técnico, por ejemplo: "asignar OT-CORR-1 a Juan Pérez".',
  }),
  orderNotFound: (numeroot: string): Reply => ({
    text: `No encontré la orden ${numeroot}. Revisa el número (por ejemplo OT-CORR-1) o escribe "mis OT asignadas" para ver las tuyas.`,
  }),
  orderNotAssignedToYou: (numeroot: string): Reply => ({
    text: `La orden ${numeroot} no está asignada a ti, así que no puedo completarla por ti. Si debes trabajarla, pídele a tu supervisor que te la asigne.`,
  }),
  orderAlreadyClosed: (order: WorkOrderSummary): Reply => ({
    text: `La orden ${order.numeroot} ya está cerrada (${order.estado_nombre}); no hay nada que completar.`,
  }),
  orderLookupFailed: (): Reply => ({
    text: 'No pude consultar esa orden en este momento. Intenta de nuevo en unos minutos.',
  }),
  askObservations: (order: WorkOrderSummary): Reply => ({
    text: `Vas a completar la orden ${order.numeroot}${order.equipo_nombre ? ` (${order.equipo_nombre})` : ''}. Escribe las observaciones finales: qué se hizo y cómo quedó el equipo.`,
  }),
  observationsTooShort: (): Reply => ({
    text: `Las observaciones son muy cortas: escribe al menos ${OBSERVATIONS_MIN_LENGTH} caracteres.`,
  }),
  askMinutes: (): Reply => ({
    text: '¿Cuánto tiempo te tomó el trabajo, en minutos? Por ejemplo: 45, "90 min" o "1 hora".',
  }),
  invalidMinutes: (): Reply => ({
    text: 'No entendí el tiempo. Escríbelo en minutos, por ejemplo 45 o "90 min" (al menos 1 minuto).',
  }),
  askCompletion: (task: OrderTask): Reply => ({
    text: `Voy a completar esta orden:\n• Orden: ${task.numeroot}\n• Observaciones: ${task.observaciones}\n• Tiempo: ${task.minutos} min\n¿Confirmas?`,
    buttons: confirmButtons,
  }),
  invalidCompletionConfirmation: (): Reply => ({
    text: 'Responde "sí" para completar la orden o "no" para dejarla como está.',
  }),
  completionDiscarded: (): Reply => ({ text: 'Listo, no completé la orden. ¿En qué más te ayudo?' }),
  askTechnician: (numeroot: string): Reply => ({
    text: `¿A qué técnico asigno la orden ${numeroot}? Escribe su nombre o su usuario.`,
  }),
  techniciansNotFound: (query: string): Reply => ({
    text: `No encontré ningún técnico que coincida con "${query}". Escribe otro nombre o usuario, o "cancelar" para salir.`,
  }),
  chooseTechnician: (numeroot: string, technicians: TechnicianChoice[]): Reply => ({
    text: `Encontré varios técnicos. ¿A cuál asigno la orden ${numeroot}?\n${technicians.map((t) => `• ${t.fullName}`).join('\n')}`,
    buttons: technicians.map((t) => ({ id: `technician:${t.id}`, title: title(t.fullName) })),
  }),
  technicianLookupFailed: (): Reply => ({
    text: 'No pude consultar los técnicos en este momento. Escribe de nuevo el nombre en unos segundos o "cancelar" para salir.',
  }),
  assignmentCancelled: (): Reply => ({ text: 'Listo, no asigné la orden. ¿En qué más te ayudo?' }),
};
