import type { LinkedIdentity } from '../core/identity/types.ts';
import type { Reply } from '../core/runtime/model.ts';
import type { DagId } from '../workflows/catalog.ts';
import { accountReplies } from './account-replies.ts';
import { capabilities, menuButtons } from './menu.ts';
import { notificationReplies } from './notification-replies.ts';
import { notificationSwitchReplies } from './notification-switch-replies.ts';
import { orderReplies } from './order-replies.ts';
import { questionReplies } from './question-replies.ts';
import { reportReplies } from './report-replies.ts';
import { processingText } from './workflow-replies.ts';

/**
 * Every Spanish text of the conversation, in one place (`replies`; the account's, the orders', the
 * failure report's, the notifications' and the forms' short questions live in `account-replies.ts`,
 * `order-replies.ts`, `report-replies.ts`, `notification-replies.ts`, `notification-switch-replies.ts`
 * and `question-replies.ts`, the role-shaped menus in `menu.ts`); a workflow's own texts are in
 * `workflows/catalog.json` (processing, errors) and its module `workflows/<dag_id>.ts` (result).
 * `identity` below is the live link of who writes, or null.
 */

export { reportedBy } from './account-replies.ts';
export { OBSERVATIONS_MIN_LENGTH } from './order-replies.ts';
export { DESCRIPTION_MIN_LENGTH } from './report-replies.ts';
export { renderWorkflowError, renderWorkflowResult } from './workflow-replies.ts';
export type { Reply };

export const replies = {
  ...accountReplies,
  ...orderReplies,
  ...notificationReplies,
  ...notificationSwitchReplies,
  ...questionReplies,
  ...reportReplies,
  greeting: (identity: LinkedIdentity | null): Reply => ({
    text: `¡Hola${identity ? `, ${identity.fullName}` : ''}! Soy el asistente de mantenimiento de Somacor. Puedo ayudarte con:\n${capabilities(identity)}`,
    buttons: menuButtons(identity),
  }),
  help: (identity: LinkedIdentity | null): Reply => ({
    text: `Esto es lo que puedo hacer:\n${capabilities(identity)}`,
  }),
  unknown: (identity: LinkedIdentity | null): Reply => ({
    text: `No entendí tu mensaje. Puedo ayudarte con:\n${capabilities(identity)}`,
  }),
  nothingToCancel: (): Reply => ({
    text: 'No hay nada en curso que cancelar. Escribe "ayuda" para ver qué puedo hacer.',
  }),
  cancelled: (): Reply => ({ text: 'Listo, cancelé la operación. ¿En qué más te ayudo?' }),
  stoppedWaiting: (): Reply => ({
    text: 'Listo, dejé de esperar el resultado de tu solicitud anterior. ¿En qué más te ayudo?',
  }),
  askWorkOrderNumber: (): Reply => ({ text: `${questionReplies.orderNumberQuestion(null)} Por ejemplo: OT-CORR-1` }),
  invalidWorkOrderNumber: (): Reply => ({
    text: 'No reconocí un número de orden de trabajo. Escríbelo así: OT-CORR-1 (o "cancelar" para salir).',
  }),
  /** A "sí", "ok" or "no" when nothing was asked. */
  strayAnswer: (): Reply => ({ text: '¿En qué te ayudo? Escribe "ayuda" para ver las opciones.' }),
  processing: (dagId: DagId, params: Record<string, unknown>): Reply => ({
    text: processingText(dagId, params),
    kind: 'processing',
  }),
  stillProcessing: (): Reply => ({
    text: 'Sigo procesando tu solicitud anterior; te aviso apenas tenga la respuesta. Escribe "cancelar" si ya no quieres esperarla.',
  }),
  /** The run could not start: its outcome, in place of a result. */
  workflowUnavailable: (reason: string | undefined): Reply => ({
    kind: 'result',
    text:
      reason === 'dag_paused'
        ? 'El proceso que atiende esta solicitud está pausado por mantenimiento del sistema. Intenta más tarde o escribe "hablar con un supervisor".'
        : 'No pude iniciar tu solicitud porque el sistema de procesos no está disponible en este momento. Intenta de nuevo en unos minutos.',
  }),
  timedOut: (): Reply => ({
    text: 'Tu solicitud está tardando más de lo esperado y dejé de esperarla. Intenta de nuevo en unos minutos; si se repite, escribe "hablar con un supervisor".',
    kind: 'result',
  }),
  handoff: (): Reply => ({
    text: 'Un supervisor revisará esta conversación y te responderá por este medio. Mientras tanto puedes seguir escribiendo aquí. Escribe "menú" para volver al asistente.',
    kind: 'handoff',
  }),
  lateReport: (result: Reply): Reply => ({
    ...result,
    text: `Sobre tu reporte anterior, que dejé de esperar: ${result.text.replace(/^Falla reportada\. /, '')}`,
  }),
  /** A person's reply in a hand-off, signed with their label ("Ana (supervisora): …"). */
  agentMessage: (label: string, text: string): Reply => ({ text: `${label}: ${text}`, kind: 'agent', agent: label }),
  handoffNoted: (): Reply => ({
    text: 'Tu mensaje quedó registrado para el supervisor; te responderá por aquí. Escribe "menú" para volver al asistente.',
  }),
  handoffExpired: (): Reply => ({
    text: 'Ningún supervisor pudo responder por este medio todavía, así que volviste al asistente automático. Si es urgente, comunícate directamente con tu supervisor, o escribe "hablar con un supervisor" para intentarlo de nuevo.',
  }),
  thanks: (): Reply => ({ text: '¡De nada! Si necesitas algo más, escríbeme.' }),
  farewell: (): Reply => ({ text: '¡Hasta luego! Si necesitas algo más, escríbeme cuando quieras.' }),
  /** "ok", "listo", "dale" with nothing asked. */
  acknowledge: (): Reply => ({ text: 'Perfecto. Si necesitas algo más, escribe "menú".' }),
  staleButton: (): Reply => ({
    text: 'Esa opción es de una pregunta anterior. Responde la última pregunta o escribe "cancelar" para salir.',
  }),
  handoffEnded: (): Reply => ({ text: 'Volviste al asistente automático. Escribe "ayuda" para ver qué puedo hacer.' }),
  /** The person ended the hand-off (`agent`: who answered, when someone did). */
  handoffReleased: (agent: string | undefined): Reply => ({
    text: `${agent ? `${agent} terminó la atención` : 'El supervisor terminó la atención'}; desde ahora te responde el asistente automático. Escribe "ayuda" para ver qué puedo hacer.`,
  }),
  conversationRestarted: (): Reply => ({
    text: 'El asistente se actualizó y reinicié nuestra conversación: si estabas a mitad de un reporte, tendrás que empezarlo de nuevo.',
  }),
  unsupportedMessage: (identity: LinkedIdentity | null): Reply => ({
    text: `Todavía no puedo procesar ese tipo de mensaje. Escríbeme con texto. Puedo ayudarte con:\n${capabilities(identity)}`,
  }),
};
