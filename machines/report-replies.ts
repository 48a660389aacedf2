import type { EquipmentSummary } from '../core/workflows/results.ts';
import type { Reply } from '../lib/reply.ts';
import { workflowParameter } from '../workflows/catalog.ts';
import { equipmentLine } from '../workflows/format.ts';
import type { Priority } from './intents.ts';
import { confirmButtons } from './order-replies.ts';

/**
 * The Spanish texts of the failure report (merged into `replies`): each question says what the user's
 * messages gave so far, so that a report written in one message is only asked what it left out.
 */

/** The least length of a failure's description (the catalog's, checked by both runners too). */
export const DESCRIPTION_MIN_LENGTH = workflowParameter('reportar_falla', 'descripcion').minLength ?? 0;

/** What the report has before its equipment is known. */
export interface GatheredBeforeEquipment {
  description?: string;
  priority?: Priority;
}

const ASK_EQUIPMENT = '¿En qué equipo? Escribe su código interno (por ejemplo CAT-001) o su nombre.';

const gatheredLines = ({ description, priority }: GatheredBeforeEquipment) =>
  [description && `• Descripción: ${description}`, priority && `• Prioridad: ${priority}`].filter(Boolean).join('\n');

export const reportReplies = {
  askEquipment: (): Reply => ({ text: `Vamos a reportar una falla. ${ASK_EQUIPMENT}` }),
  /** The equipment question of a report that already says its symptom or priority (which are kept). */
  askEquipmentFor: (gathered: GatheredBeforeEquipment): Reply => {
    const lines = gatheredLines(gathered);
    return {
      text: lines ? `Vamos a reportar esta falla:\n${lines}\n${ASK_EQUIPMENT}` : reportReplies.askEquipment().text,
    };
  },
  lookingUpEquipment: (): Reply => ({ text: 'Buscando el equipo…' }),
  equipmentNotFound: (query: string): Reply => ({
    text: `No encontré ningún equipo que coincida con "${query}". Escribe el código interno (por ejemplo CAT-001), "listar equipos" para verlos o "cancelar" para salir.`,
  }),
  equipmentLookupFailed: (): Reply => ({
    text: 'No pude consultar los equipos en este momento. Escribe de nuevo el código del equipo en unos segundos o "cancelar" para salir.',
  }),
  chooseEquipment: (candidates: EquipmentSummary[]): Reply => ({
    text: `Encontré varios equipos. ¿Cuál es?\n${candidates.map((e) => `• ${equipmentLine(e)}`).join('\n')}`,
    buttons: candidates.slice(0, 10).map((e) => ({
      id: `equipment:${e.idequipo}`,
      title: (e.codigointerno ?? e.nombreequipo).slice(0, 20),
    })),
  }),
  askDescription: (equipment: EquipmentSummary): Reply => ({
    text: `Equipo: ${equipmentLine(equipment)}.\nDescribe la falla (al menos ${DESCRIPTION_MIN_LENGTH} caracteres).`,
  }),
  descriptionTooShort: (): Reply => ({
    text: `La descripción es muy corta: escribe al menos ${DESCRIPTION_MIN_LENGTH} caracteres describiendo la falla.`,
  }),
  askPriority: (): Reply => ({
    text: '¿Qué prioridad tiene? Elige una opción o escribe 1 (Baja), 2 (Media), 3 (Alta) o 4 (Crítica).',
    buttons: [
      { id: 'priority:baja', title: 'Baja' },
      { id: 'priority:media', title: 'Media' },
      { id: 'priority:alta', title: 'Alta' },
      { id: 'priority:critica', title: 'Crítica' },
    ],
  }),
  /** The priority question after the equipment and the symptom, both said back. */
  askPriorityFor: (equipment: EquipmentSummary, description: string): Reply => {
    const question = reportReplies.askPriority();
    return {
      ...question,
      text: `Equipo: ${equipmentLine(equipment)}\nFalla: ${description}\n${question.text}`,
    };
  },
  invalidPriority: (): Reply => ({
    text: 'No reconocí la prioridad. Elige Baja, Media, Alta o Crítica (o 1 a 4).',
  }),
  askConfirmation: (equipment: EquipmentSummary, description: string, priority: Priority): Reply => ({
    text: `Voy a reportar esta falla:\n• Equipo: ${equipmentLine(equipment)}\n• Descripción: ${description}\n• Prioridad: ${priority}\n¿Confirmas?`,
    buttons: confirmButtons,
  }),
  invalidConfirmation: (): Reply => ({ text: 'Responde "sí" para confirmar el reporte o "no" para cancelarlo.' }),
  reportDiscarded: (): Reply => ({ text: 'Listo, no reporté la falla. ¿En qué más te ayudo?' }),
  /** Said before another command typed during the report is handled. */
  reportLeft: (): Reply => ({ text: 'Dejé el reporte de falla sin enviar.' }),
};
