import type { Reply } from '../lib/reply.ts';

/**
 * The short form of each question a form asks (merged into `replies`), said again after something
 * else was said meanwhile (a notification, the notifications' switch): "(Sigo esperando tu respuesta:
 * ¿Qué prioridad tiene la falla?)". The full questions are in `replies`, `order-replies.ts` and
 * `account-replies.ts`.
 */

export const questionReplies = {
  /** `reply`, then the question still open (its buttons, when it has them, go with it). */
  stillAsking: (reply: Reply, question: Reply): Reply => ({
    ...reply,
    text: `${reply.text}\n(Sigo esperando tu respuesta: ${question.text})`,
    ...(question.buttons?.length ? { buttons: question.buttons } : {}),
  }),
  equipmentQuestion: (offered: boolean): string =>
    offered ? '¿Cuál de los equipos es?' : '¿En qué equipo es la falla?',
  descriptionQuestion: (equipment: string | undefined): string =>
    equipment ? `Describe la falla del equipo ${equipment}.` : 'Describe la falla.',
  priorityQuestion: (): string => '¿Qué prioridad tiene la falla?',
  reportConfirmationQuestion: (): string => '¿Confirmas el reporte de la falla?',
  observationsQuestion: (numeroot: string): string => `Escribe las observaciones finales de la orden ${numeroot}.`,
  minutesQuestion: (): string => '¿Cuánto tiempo te tomó el trabajo, en minutos?',
  completionConfirmationQuestion: (numeroot: string): string => `¿Confirmas completar la orden ${numeroot}?`,
  technicianQuestion: (numeroot: string): string => `¿A qué técnico asigno la orden ${numeroot}?`,
  orderNumberQuestion: (action: 'start_order' | 'complete_order' | 'assign_order' | null): string =>
    action === 'start_order'
      ? '¿Qué orden quieres iniciar?'
      : action === 'complete_order'
        ? '¿Qué orden quieres completar?'
        : action === 'assign_order'
          ? '¿Qué orden quieres asignar?'
          : '¿Cuál es el número de la orden de trabajo?',
  eraseConfirmationQuestion: (): string => '¿Confirmas que borre tus datos de este chat?',
};
