import catalog from './catalog.json' with { type: 'json' };

/**
 * The typed door to `catalog.json`, the one description of omnibot's workflows that TypeScript and
 * the Python DAGs (`dags/omnibot_common/catalog.py`) both read. Core and machines may import it.
 */

/** A workflow's id: its DAG id in Airflow and its key in the in-process definitions. */
export type DagId = keyof typeof catalog.workflows;
/** Every code a failed workflow may end with (`WorkflowError.code`). */
export type ErrorCode = keyof typeof catalog.errors;
type AdviceKey = keyof typeof catalog.advice;

export type ParameterType = 'string' | 'integer' | 'priority';

export interface WorkflowParameter {
  name: string;
  type: ParameterType;
  required: boolean;
}

export interface WorkflowEntry {
  id: DagId;
  description: string;
  parameters: readonly WorkflowParameter[];
  /** What the user reads while it runs; `{name}` is the parameter's value. */
  processing: string;
  /** "No pude <failedAction>: …" when it fails. */
  failedAction: string;
}

/** The workflow ids, in the catalog's order. */
export const DAG_IDS = Object.keys(catalog.workflows) as DagId[];

/** Own keys only: an id from outside (a callback's `dag_id`) must not find an inherited property. */
export function isDagId(value: string): value is DagId {
  return Object.hasOwn(catalog.workflows, value);
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(catalog.errors, value);
}

export function workflowEntry(id: DagId): WorkflowEntry {
  const { description, parameters, processing, failedAction } = catalog.workflows[id];
  return { id, description, parameters: parameters as WorkflowParameter[], processing, failedAction };
}

/** A workflow's constants (e.g. `workflowConstants('listar_ot_pendientes').limit`), typed from the JSON. */
export function workflowConstants<K extends DagId>(id: K): (typeof catalog.workflows)[K]['constants'] {
  return catalog.workflows[id].constants;
}

/** The required parameters that `params` lacks (absent, null or blank). */
export function missingParameters(id: DagId, params: Record<string, unknown>): string[] {
  return workflowEntry(id)
    .parameters.filter((p) => p.required && String(params[p.name] ?? '').trim() === '')
    .map((p) => p.name);
}

/** CMMS priorities from the least urgent to the most; the number a user may type is the position (1–4). */
export const CMMS_PRIORITIES: readonly string[] = catalog.cmms.priorities;
/** States of a finished work order; every other state is pending. */
export const CLOSED_WORK_ORDER_STATES: readonly string[] = catalog.cmms.closedWorkOrderStates;

/** What a failed CMMS call is, as both runners see it. */
export interface CmmsFailure {
  /** The HTTP status, when the CMMS answered. */
  status?: number;
  /** The CMMS answered 2xx with a body that is not what the API documents. */
  badResponse?: boolean;
}

/** The error code of a failed CMMS call: the same table in both runners. */
export function cmmsErrorCode(failure: CmmsFailure): ErrorCode {
  const table = catalog.cmmsFailures;
  const code = ((): string => {
    if (failure.badResponse) return table.badResponse;
    if (failure.status === undefined) return table.noAnswer;
    const byStatus: Record<string, string> = table.byStatus;
    if (Object.hasOwn(byStatus, String(failure.status))) return byStatus[String(failure.status)]!;
    return failure.status >= 500 ? table.serverError : table.clientError;
  })();
  return isErrorCode(code) ? code : 'workflow_error';
}

export interface ErrorText {
  /** Why it failed, after "No pude <action>: ". */
  cause: string;
  /** What the user can do. */
  advice: string;
}

/** What the user reads for an error code; an unknown code reads as `workflow_error`. */
export function errorText(code: string | undefined): ErrorText {
  const entry = catalog.errors[code !== undefined && isErrorCode(code) ? code : 'workflow_error'];
  return { cause: entry.cause, advice: catalog.advice[entry.advice as AdviceKey] };
}

/** The advice texts every error entry names must exist (checked once, at load). */
for (const [code, entry] of Object.entries(catalog.errors)) {
  if (!Object.hasOwn(catalog.advice, entry.advice)) {
    throw new Error(`workflows/catalog.json: error ${code} names unknown advice ${entry.advice}`);
  }
}
for (const id of DAG_IDS) {
  for (const p of catalog.workflows[id].parameters) {
    if (!['string', 'integer', 'priority'].includes(p.type)) {
      throw new Error(`workflows/catalog.json: ${id}.${p.name} has unknown type ${p.type}`);
    }
  }
}
