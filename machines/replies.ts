import type { Reply } from '../core/runtime/model.ts';
import type {
  EquipmentSummary,
  ListEquipmentResult,
  PendingWorkOrdersResult,
  ReportFailureResult,
  WorkOrderStatusResult,
  WorkOrderSummary,
} from '../core/workflows/results.ts';
import { DAG_IDS, type WorkflowError } from '../core/workflows/types.ts';
import type { Priority } from './intents.ts';

/** Every Spanish text the assistant says, in one place. */

export type { Reply };

const CAPABILITIES = [
  '• Reportar una falla: "reportar falla"',
  '• Consultar el estado de una OT: "estado de OT-CORR-1"',
  '• Listar los equipos: "listar equipos"',
  '• Ver las órdenes pendientes: "OT pendientes"',
  '• Hablar con una persona: "hablar con un supervisor"',
  '• Cancelar lo que estés haciendo: "cancelar"',
].join('\n');

export const replies = {
  greeting: (): Reply => ({
    text: `¡Hola! Soy el asistente de mantenimiento de Somacor. Puedo ayudarte con:\n${CAPABILITIES}`,
    buttons: [
      { id: 'intent:report_failure', title: 'Reportar una falla' },
      { id: 'intent:work_order_status', title: 'Estado de una OT' },
      { id: 'intent:list_equipment', title: 'Listar equipos' },
    ],
  }),
  help: (): Reply => ({ text: `Esto es lo que puedo hacer:\n${CAPABILITIES}` }),
  unknown: (): Reply => ({
    text: `No entendí tu mensaje. Puedo ayudarte con:\n${CAPABILITIES}`,
  }),
  nothingToCancel: (): Reply => ({
    text: 'No hay nada en curso que cancelar. Escribe "ayuda" para ver qué puedo hacer.',
  }),
  cancelled: (): Reply => ({ text: 'Listo, cancelé la operación. ¿En qué más te ayudo?' }),
  stoppedWaiting: (): Reply => ({
    text: 'Listo, dejé de esperar el resultado de tu solicitud anterior. ¿En qué más te ayudo?',
  }),
  askWorkOrderNumber: (): Reply => ({ text: '¿Cuál es el número de la orden de trabajo? Por ejemplo: OT-CORR-1' }),
  invalidWorkOrderNumber: (): Reply => ({
    text: 'No reconocí un número de orden de trabajo. Escríbelo así: OT-CORR-1 (o "cancelar" para salir).',
  }),
  askEquipment: (): Reply => ({
    text: 'Vamos a reportar una falla. ¿En qué equipo? Escribe su código interno (por ejemplo CAT-001) o su nombre.',
  }),
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
    text: `Equipo: ${equipmentLine(equipment)}.\nDescribe la falla (al menos 10 caracteres).`,
  }),
  descriptionTooShort: (): Reply => ({
    text: 'La descripción es muy corta: escribe al menos 10 caracteres describiendo la falla.',
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
  invalidPriority: (): Reply => ({
    text: 'No reconocí la prioridad. Elige Baja, Media, Alta o Crítica (o 1 a 4).',
  }),
  askConfirmation: (equipment: EquipmentSummary, description: string, priority: Priority): Reply => ({
    text: `Voy a reportar esta falla:\n• Equipo: ${equipmentLine(equipment)}\n• Descripción: ${description}\n• Prioridad: ${priority}\n¿Confirmas?`,
    buttons: [
      { id: 'confirm:yes', title: 'Confirmar' },
      { id: 'confirm:no', title: 'Cancelar' },
    ],
  }),
  invalidConfirmation: (): Reply => ({ text: 'Responde "sí" para confirmar el reporte o "no" para cancelarlo.' }),
  reportDiscarded: (): Reply => ({ text: 'Listo, no reporté la falla. ¿En qué más te ayudo?' }),
  processing: (dagId: string, params: Record<string, unknown>): Reply => ({ text: processingText(dagId, params) }),
  stillProcessing: (): Reply => ({
    text: 'Sigo procesando tu solicitud anterior; te aviso apenas tenga la respuesta. Escribe "cancelar" si ya no quieres esperarla.',
  }),
  workflowUnavailable: (reason: string | undefined): Reply => ({
    text:
      reason === 'dag_paused'
        ? 'El proceso que atiende esta solicitud está pausado por mantenimiento del sistema. Intenta más tarde o escribe "hablar con un supervisor".'
        : 'No pude iniciar tu solicitud porque el sistema de procesos no está disponible en este momento. Intenta de nuevo en unos minutos.',
  }),
  timedOut: (): Reply => ({
    text: 'Tu solicitud está tardando más de lo esperado y dejé de esperarla. Intenta de nuevo en unos minutos; si se repite, escribe "hablar con un supervisor".',
  }),
  handoff: (): Reply => ({
    text: 'Un supervisor revisará esta conversación y te responderá por este medio. Mientras tanto puedes seguir escribiendo aquí. Escribe "menu" para volver al asistente.',
  }),
  lateReport: (result: Reply): Reply => ({
    text: `Sobre tu reporte anterior, que dejé de esperar: ${result.text.replace(/^Falla reportada\. /, '')}`,
  }),
  handoffNoted: (): Reply => ({
    text: 'Tu mensaje quedó registrado para el supervisor; te responderá por aquí. Escribe "menu" para volver al asistente.',
  }),
  handoffExpired: (): Reply => ({
    text: 'Ningún supervisor pudo responder por este medio todavía, así que volviste al asistente automático. Si es urgente, comunícate directamente con tu supervisor, o escribe "hablar con un supervisor" para intentarlo de nuevo.',
  }),
  thanks: (): Reply => ({ text: '¡De nada! Si necesitas algo más, escríbeme.' }),
  staleButton: (): Reply => ({
    text: 'Ese botón es de una pregunta anterior. Responde la última pregunta o escribe "cancelar" para salir.',
  }),
  handoffEnded: (): Reply => ({ text: 'Volviste al asistente automático. Escribe "ayuda" para ver qué puedo hacer.' }),
  conversationRestarted: (): Reply => ({
    text: 'El asistente se actualizó y reinicié nuestra conversación: si estabas a mitad de un reporte, tendrás que empezarlo de nuevo.',
  }),
  unsupportedMessage: (): Reply => ({
    text: `Todavía no puedo procesar ese tipo de mensaje. Escríbeme con texto. Puedo ayudarte con:\n${CAPABILITIES}`,
  }),
};

function processingText(dagId: string, params: Record<string, unknown>): string {
  switch (dagId) {
    case DAG_IDS.workOrderStatus:
      return `Procesando: estoy consultando el estado de la orden ${String(params.numeroot)}. Te aviso en cuanto tenga la respuesta.`;
    case DAG_IDS.reportFailure:
      return 'Procesando: estoy registrando la falla en el sistema de mantenimiento. Te aviso cuando se cree la orden de trabajo.';
    case DAG_IDS.listEquipment:
      return 'Procesando: estoy consultando la lista de equipos.';
    default:
      return 'Procesando: estoy consultando las órdenes de trabajo pendientes.';
  }
}

export function equipmentLine(e: EquipmentSummary): string {
  const details = [e.estado_nombre, e.faena_nombre].filter(Boolean).join(', ');
  return `${e.codigointerno ? `${e.codigointerno} — ` : ''}${e.nombreequipo}${details ? ` (${details})` : ''}`;
}

function orderDetails(o: WorkOrderSummary): string {
  return [
    o.tipo_mantenimiento_nombre && `Tipo: ${o.tipo_mantenimiento_nombre}`,
    o.prioridad && `Prioridad: ${o.prioridad}`,
    `Técnico: ${o.tecnico_nombre ?? 'sin asignar'}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

const LIST_LIMIT = 15;

/** The final answer of a workflow that ended well (a malformed result gets a plain error, not a crash). */
export function renderWorkflowResult(dagId: string, result: unknown): Reply {
  try {
    return renderResult(dagId, result);
  } catch {
    return renderWorkflowError(dagId, { code: 'bad_result', message: 'malformed workflow result' });
  }
}

function renderResult(dagId: string, result: unknown): Reply {
  switch (dagId) {
    case DAG_IDS.workOrderStatus: {
      const r = result as WorkOrderStatusResult;
      if (!r.found) {
        return { text: `No encontré la orden de trabajo ${r.numeroot}. Revisa el número (por ejemplo OT-CORR-1).` };
      }
      const o = r.order;
      return {
        text: `La orden de trabajo ${o.numeroot} para el equipo ${o.equipo_nombre ?? 'sin equipo'} se encuentra en estado: ${o.estado_nombre ?? 'desconocido'}.\n${orderDetails(o)}`,
      };
    }
    case DAG_IDS.reportFailure: {
      const o = (result as ReportFailureResult).order;
      return {
        text: `Falla reportada. Se creó la orden de trabajo ${o.numeroot}${o.equipo_nombre ? ` para el equipo ${o.equipo_nombre}` : ''}, con prioridad ${o.prioridad ?? 'Alta'} y estado ${o.estado_nombre ?? 'Abierta'}.`,
      };
    }
    case DAG_IDS.listEquipment: {
      const r = result as ListEquipmentResult;
      if (r.total === 0) return { text: 'No hay equipos registrados.' };
      const lines = r.equipment.slice(0, LIST_LIMIT).map((e) => `• ${equipmentLine(e)}`);
      const more = r.total > lines.length ? `\n…y ${r.total - lines.length} más.` : '';
      return { text: `Equipos registrados (${r.total}):\n${lines.join('\n')}${more}` };
    }
    default: {
      const r = result as PendingWorkOrdersResult;
      if (r.total === 0) return { text: 'No hay órdenes de trabajo pendientes.' };
      const lines = r.orders
        .slice(0, LIST_LIMIT)
        .map(
          (o) =>
            `• ${o.numeroot} — ${o.equipo_nombre ?? 'sin equipo'} — ${o.estado_nombre ?? '?'} — ${o.prioridad ?? '?'}`,
        );
      const more = r.total > lines.length ? `\n…y ${r.total - lines.length} más.` : '';
      return { text: `Órdenes de trabajo pendientes (${r.total}):\n${lines.join('\n')}${more}` };
    }
  }
}

/** What could not be done, by DAG (a Map: a callback's `dag_id` must not find an inherited property). */
const FAILED_ACTIONS: ReadonlyMap<string, string> = new Map([
  [DAG_IDS.reportFailure, 'registrar la falla'],
  [DAG_IDS.workOrderStatus, 'consultar la orden de trabajo'],
  [DAG_IDS.listEquipment, 'obtener la lista de equipos'],
  [DAG_IDS.pendingWorkOrders, 'obtener las órdenes pendientes'],
]);

/** The answer when a workflow ended in failure. */
export function renderWorkflowError(dagId: string, error: WorkflowError | undefined): Reply {
  const action = FAILED_ACTIONS.get(dagId) ?? 'completar tu solicitud';
  const later = 'Intenta de nuevo en unos minutos; si el problema sigue, escribe "hablar con un supervisor".';
  const [cause, advice] = ((): [string, string] => {
    switch (error?.code) {
      case 'cmms_unreachable':
        return ['el sistema de mantenimiento (CMMS) no responde', later];
      case 'cmms_error':
        return ['el sistema de mantenimiento (CMMS) tuvo un error', later];
      case 'cmms_auth':
        return [
          'el asistente no tiene acceso al sistema de mantenimiento',
          'Avisa a un supervisor: escribe "hablar con un supervisor".',
        ];
      case 'equipment_not_found':
        return ['el equipo ya no existe en el sistema', 'Revisa el código del equipo y vuelve a reportar la falla.'];
      case 'cmms_rejected':
      case 'cmms_not_found':
      case 'invalid_params':
        return [
          'el sistema de mantenimiento rechazó la solicitud',
          'Revisa los datos o escribe "hablar con un supervisor".',
        ];
      default:
        return ['ocurrió un error en el proceso', later];
    }
  })();
  return { text: `No pude ${action}: ${cause}. ${advice}` };
}
