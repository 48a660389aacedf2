import type { Reply } from '../core/runtime/model.ts';
import type { WorkflowError } from '../core/workflows/types.ts';
import { isRecord } from '../lib/is-record.ts';
import { type DagId, errorText, isDagId, workflowEntry } from '../workflows/catalog.ts';
import { workflowModule } from '../workflows/index.ts';
import { templateOf } from './notification-replies.ts';

/**
 * What the user reads about a workflow: the catalog's "processing" and error texts, and each
 * workflow's own renderer (`workflows/<dag_id>.ts`, `render`).
 */

/** The catalog's "processing" text of a workflow, `{name}` filled with the parameter's value. */
export function processingText(dagId: DagId, params: Record<string, unknown>): string {
  return workflowEntry(dagId).processing.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
}

/** The workflows whose result is about one order (`{ order }`): their answer carries the order's template. */
export const ORDER_RESULT_WORKFLOWS: readonly DagId[] = ['reportar_falla', 'iniciar_ot', 'completar_ot', 'asignar_ot'];

/** The order a result of one of `ORDER_RESULT_WORKFLOWS` is about (number, equipment, state), when known. */
export function resultOrder(dagId: string, result: unknown) {
  if (!(ORDER_RESULT_WORKFLOWS as readonly string[]).includes(dagId) || !isRecord(result) || !isRecord(result.order)) {
    return undefined;
  }
  const { numeroot, equipo_nombre, estado_nombre } = result.order;
  return templateOf(numeroot, equipo_nombre, estado_nombre);
}

/**
 * The final answer of a workflow that ended well (kind `result`; about one order, with its template). A result without its workflow's shape (null,
 * empty, a report without its `numeroot`), or a `dag_id` outside the catalog, gets the catalog's
 * `bad_result` text instead of a crash, "undefined" or another workflow's text.
 */
export function renderWorkflowResult(dagId: string, result: unknown): Reply {
  const badResult = { code: 'bad_result', message: 'malformed workflow result' };
  if (!isDagId(dagId)) return renderWorkflowError(dagId, badResult);
  const module = workflowModule(dagId);
  if (!module.isResult(result)) return renderWorkflowError(dagId, badResult);
  try {
    const template = resultOrder(dagId, result);
    return { ...module.render(result), kind: 'result', ...(template ? { template } : {}) };
  } catch {
    return renderWorkflowError(dagId, badResult);
  }
}

/** The answer when a workflow ended in failure: "No pude <action>: <cause>. <advice>". */
export function renderWorkflowError(dagId: string, error: WorkflowError | undefined): Reply {
  const action = isDagId(dagId) ? workflowEntry(dagId).failedAction : 'completar tu solicitud';
  const { cause, advice } = errorText(error?.code);
  return { text: `No pude ${action}: ${cause}. ${advice}`, kind: 'result' };
}
