import type { Reply } from '../lib/reply.ts';
import { workflowParameter } from '../workflows/catalog.ts';
import type { WorkOrderSummary } from '../workflows/cmms.ts';
import type { OrderTask, TechnicianChoice } from './conversation/types.ts';
import { durationText, type Intent, LONG_MINUTES } from './intents.ts';
import { questionReplies } from './question-replies.ts';
import { roleGroup } from './roles.ts';

/** The Spanish texts of the technician's and the supervisor's actions on orders (merged into `replies`). */

/** The least length of a completion's final observations (the catalog's, checked by both runners too). */
export const OBSERVATIONS_MIN_LENGTH = workflowParameter('completar_ot', 'observaciones').minLength ?? 0;

/** A button's title of at most 20 characters (the smallest limit of the channels). */
const title = (name: string) => (name.length <= 20 ? name : `${name.slice(0, 19).trimEnd()}…`);

/** "1. María González", one a line: a number typed (SMS) picks the technician. */
const numbered = (technicians: TechnicianChoice[]) => technicians.map((t, i) => `${i + 1}. ${t.fullName}`).join('\n');
const technicianButtons = (technicians: TechnicianChoice[]) =>
  technicians.map((t) => ({ id: `technician:${t.id}`, title: title(t.fullName) }));

/** "Confirmar" / "Cancelar", the buttons of every confirmation before a change to an order. */
export const confirmButtons = [
  { id: 'confirm:yes', title: 'Confirmar' },
  { id: 'confirm:no', title: 'Cancelar' },
];

export const orderReplies = {
  /** A role that may not do it (`role`: the user's CMMS role): who can. */
  notForYourRole: (intent: Intent, role: string): Reply => ({
    text:
      intent === 'my_assigned_orders'
        ? 'Las OT asignadas son las de los técnicos. Escribe "mis OT" para ver las tuyas.'
        : intent === 'unassigned_orders' || intent === 'assign_order'
          ? 'Ver y asignar las órdenes sin técnico es para supervisores y administradores. Si necesitas que asignen una orden, escribe "hablar con un supervisor".'
          : roleGroup(role) === 'supervisor'
            ? 'Iniciar y completar órdenes es para técnicos: lo hace el técnico asignado a cada orden. Tú puedes asignarlas, por ejemplo: "asignar OT-CORR-1 a Juan Pérez".'
            : 'Iniciar y completar órdenes es para técnicos: si una orden debe avanzar, pídeselo al técnico asignado o a un supervisor. Escribe "mis OT" para ver las tuyas.',
  }),
  askOrderFor: (intent: 'start_order' | 'complete_order' | 'assign_order'): Reply => ({
    text: `${questionReplies.orderNumberQuestion(intent)} ${
      intent === 'assign_order'
        ? 'Escribe su número, por ejemplo OT-CORR-1, y si quieres el técnico: "OT-CORR-1 a Juan Pérez".'
        : 'Escribe su número, por ejemplo OT-CORR-1 (o "cancelar" para salir).'
    }`,
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
  /** The time came before the observations ("45 minutos" when the observations are asked). */
  observationsFirst: (): Reply => ({
    text: 'Primero escribe las observaciones finales: qué se hizo y cómo quedó el equipo. El tiempo te lo pregunto después.',
  }),
  askMinutes: (): Reply => ({
    text: `${questionReplies.minutesQuestion()} Por ejemplo: 45, "90 min", "1:30" o "2 horas".`,
  }),
  invalidMinutes: (): Reply => ({
    text: 'No entendí el tiempo. Escríbelo en minutos u horas, por ejemplo 45, "90 min", "1:30" o "2 horas" (al menos 1 minuto).',
  }),
  /** The confirmation; more than 16 hours is asked again in words ("¿Seguro que fueron 33 horas y 20 minutos?"). */
  askCompletion: (task: OrderTask): Reply => {
    const minutes = task.minutos ?? 0;
    const summary = `Voy a completar esta orden:\n• Orden: ${task.numeroot}\n• Observaciones: ${task.observaciones}\n• Tiempo: ${minutes} min`;
    return {
      text:
        minutes > LONG_MINUTES
          ? `${summary}\n¿Seguro que fueron ${durationText(minutes)}? Responde "sí" para completarla así o escribe el tiempo correcto.`
          : `${summary}\n¿Confirmas?`,
      buttons: confirmButtons,
    };
  },
  invalidCompletionConfirmation: (): Reply => ({
    text: 'Responde "sí" para completar la orden o "no" para dejarla como está.',
  }),
  completionDiscarded: (): Reply => ({ text: 'Listo, no completé la orden. ¿En qué más te ayudo?' }),
  /** Said before another command typed during the completion is handled. */
  completionLeft: (numeroot: string): Reply => ({ text: `Dejé la orden ${numeroot} sin completar.` }),
  assignmentLeft: (numeroot: string): Reply => ({ text: `Dejé la orden ${numeroot} sin asignar.` }),
  askTechnician: (numeroot: string): Reply => ({
    text: `${questionReplies.technicianQuestion(numeroot)} Escribe su nombre o su usuario.`,
  }),
  chooseTechnician: (numeroot: string, technicians: TechnicianChoice[]): Reply => ({
    text: `Encontré varios técnicos. ¿A cuál asigno la orden ${numeroot}?\n${numbered(technicians)}\nElige uno o escribe su número.`,
    buttons: technicianButtons(technicians),
  }),
  /** Every technician offered: no name was given, or `missed` matched nobody; `total` may exceed the list. */
  listTechnicians: (numeroot: string, technicians: TechnicianChoice[], total: number, missed?: string): Reply => ({
    text:
      (missed ? `No encontré ningún técnico que coincida con "${missed}". ` : '') +
      `¿A qué técnico asigno la orden ${numeroot}?\n${numbered(technicians)}\n` +
      (total > technicians.length
        ? 'Elige uno o escribe su número; si no está en la lista, escribe su nombre.'
        : 'Elige uno o escribe su número o su nombre.'),
    buttons: technicianButtons(technicians),
  }),
  noTechnicians: (numeroot: string, missed?: string): Reply => ({
    text: `${missed ? `No encontré ningún técnico que coincida con "${missed}". ` : ''}No hay técnicos en el CMMS a quienes asignar la orden ${numeroot}.`,
  }),
  pickTechnicianInRange: (count: number): Reply => ({
    text: `Elige un número del 1 al ${count}, o escribe el nombre del técnico (o "cancelar" para salir).`,
  }),
  technicianLookupFailed: (): Reply => ({
    text: 'No pude consultar los técnicos en este momento. Escribe de nuevo el nombre en unos segundos o "cancelar" para salir.',
  }),
  assignmentCancelled: (): Reply => ({ text: 'Listo, no asigné la orden. ¿En qué más te ayudo?' }),
};
