import type { Reply } from '../core/runtime/model.ts';
import type { WorkflowError } from '../core/workflows/types.ts';
import { type DagId, errorText, isDagId, workflowEntry } from '../workflows/catalog.ts';
import { workflowModule } from '../workflows/index.ts';

/**
 * What the user reads about a workflow: the catalog's "processing" and error texts, and each
 * workflow's own renderer (`workflows/<dag_id>.ts`, `render`).
 */

/** The catalog's "processing" text of a workflow, `{name}` filled with the parameter's value. */
export function processingText(dagId: DagId, params: Record<string, unknown>): string {
  return workflowEntry(dagId).processing.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
}

/**
 * The final answer of a workflow that ended well. A result without its workflow's shape (null,
 * empty, a report without its `numeroot`), or a `dag_id` outside the catalog, gets the catalog's
 * `bad_result` text instead of a crash, "undefined" or another workflow's text.
 */
export function renderWorkflowResult(dagId: string, result: unknown): Reply {
  const badResult = { code: 'bad_result', message: 'malformed workflow result' };
  if (!isDagId(dagId)) return renderWorkflowError(dagId, badResult);
  const module = workflowModule(dagId);
  if (!module.isResult(result)) return renderWorkflowError(dagId, badResult);
  try {
    return module.render(result);
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
