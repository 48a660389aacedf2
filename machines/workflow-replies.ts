import type { Reply } from '../core/runtime/model.ts';
import type { EquipmentSummary, WorkflowResults, WorkOrderSummary } from '../core/workflows/results.ts';
import type { WorkflowError } from '../core/workflows/types.ts';
import { type DagId, errorText, isDagId, workflowEntry } from '../workflows/catalog.ts';

/**
 * What the user reads about a workflow: the catalog's "processing" and error texts, and one
 * renderer per workflow result. `resultRenderers` is typed by the catalog's ids: a workflow
 * without a renderer is a type error, and no id falls through to another workflow's text.
 */

const LIST_LIMIT = 15;

type ResultRenderers = { readonly [K in DagId]: (result: WorkflowResults[K]) => Reply };

export const resultRenderers: ResultRenderers = {
  consultar_estado_ot: (r) => {
    if (!r.found) {
      return { text: `No encontré la orden de trabajo ${r.numeroot}. Revisa el número (por ejemplo OT-CORR-1).` };
    }
    const o = r.order;
    return {
      text: `La orden de trabajo ${o.numeroot} para el equipo ${o.equipo_nombre ?? 'sin equipo'} se encuentra en estado: ${o.estado_nombre ?? 'desconocido'}.\n${orderDetails(o)}`,
    };
  },
  reportar_falla: ({ order: o }) => ({
    text: `Falla reportada. Se creó la orden de trabajo ${o.numeroot}${o.equipo_nombre ? ` para el equipo ${o.equipo_nombre}` : ''}, con prioridad ${o.prioridad ?? 'Alta'} y estado ${o.estado_nombre ?? 'Abierta'}.`,
  }),
  listar_equipos: (r) => {
    if (r.total === 0) return { text: 'No hay equipos registrados.' };
    const lines = r.equipment.slice(0, LIST_LIMIT).map((e) => `• ${equipmentLine(e)}`);
    return { text: `Equipos registrados (${r.total}):\n${lines.join('\n')}${more(r.total, lines.length)}` };
  },
  listar_ot_pendientes: (r) => {
    if (r.total === 0) return { text: 'No hay órdenes de trabajo pendientes.' };
    const lines = r.orders
      .slice(0, LIST_LIMIT)
      .map(
        (o) =>
          `• ${o.numeroot} — ${o.equipo_nombre ?? 'sin equipo'} — ${o.estado_nombre ?? '?'} — ${o.prioridad ?? '?'}`,
      );
    return { text: `Órdenes de trabajo pendientes (${r.total}):\n${lines.join('\n')}${more(r.total, lines.length)}` };
  },
};

const more = (total: number, shown: number) => (total > shown ? `\n…y ${total - shown} más.` : '');

/** The catalog's "processing" text of a workflow, `{name}` filled with the parameter's value. */
export function processingText(dagId: DagId, params: Record<string, unknown>): string {
  return workflowEntry(dagId).processing.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
}

/**
 * The final answer of a workflow that ended well. A malformed result, or a `dag_id` outside the
 * catalog, gets the plain error instead of a crash or another workflow's text.
 */
export function renderWorkflowResult(dagId: string, result: unknown): Reply {
  const badResult = { code: 'bad_result', message: 'malformed workflow result' };
  if (!isDagId(dagId)) return renderWorkflowError(dagId, badResult);
  try {
    return (resultRenderers[dagId] as (result: unknown) => Reply)(result);
  } catch {
    return renderWorkflowError(dagId, badResult);
  }
}

/** The answer when a workflow ended in failure: "No pude <action>: <cause>. <advice>". */
export function renderWorkflowError(dagId: string, error: WorkflowError | undefined): Reply {
  const action = isDagId(dagId) ? workflowEntry(dagId).failedAction : 'completar tu solicitud';
  const { cause, advice } = errorText(error?.code);
  return { text: `No pude ${action}: ${cause}. ${advice}` };
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
