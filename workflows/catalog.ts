import { foldText } from '../lib/fold-text.ts';
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
  /** A `string`'s least length once trimmed, in characters. */
  minLength?: number;
  /** A `string` that must be one of these (case and accents ignored); the workflow gets the value as listed. */
  values?: readonly string[];
  /** An `integer`'s least value. */
  minimum?: number;
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

/**
 * Whether workflow `id` only runs as a linked user (`"actsAs": "user"`): its run needs the user's own
 * CMMS session (`acting_as`), never the service account; without one it ends as `identity_expired`.
 */
export function requiresUser(id: DagId): boolean {
  const entry = catalog.workflows[id];
  return 'actsAs' in entry && entry.actsAs === 'user';
}

/** A workflow's constants (e.g. `workflowConstants('listar_ot_pendientes').limit`), typed from the JSON. */
export function workflowConstants<K extends DagId>(id: K): (typeof catalog.workflows)[K]['constants'] {
  return catalog.workflows[id].constants;
}

/** A parameter of a workflow, by name (e.g. `workflowParameter('reportar_falla', 'descripcion').minLength`). */
export function workflowParameter(id: DagId, name: string): WorkflowParameter {
  const parameter = workflowEntry(id).parameters.find((p) => p.name === name);
  if (!parameter) throw new Error(`workflows/catalog.json: ${id} has no parameter ${name}`);
  return parameter;
}

/**
 * The one rule for a workflow's parameters, the same as `dags/omnibot_common/catalog.py`
 * (`invalid_parameters`, `normalize_parameters`): both runners refuse the same params with the
 * same `invalid_params` message, and hand their workflow the same normalized values.
 *
 * - absent, null or blank: missing (an error when `required`, else left out);
 * - `string`: a text; trimmed; at least `minLength` characters; one of `values` when listed (case and
 *   accents ignored, handed over as listed);
 * - `integer`: an integer, or a text of digits (`"12"` is 12); at least `minimum` when set;
 * - `priority`: a CMMS priority by name (case and accents ignored) or by position (`"1"`–`"4"`).
 */

const parametersOf = (id: DagId) => catalog.workflows[id].parameters as readonly WorkflowParameter[];

const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

function priorityOf(value: unknown): string | undefined {
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) return undefined;
  const key = foldText(String(value));
  const names = catalog.cmms.priorities;
  if (/^[0-9]+$/.test(key)) return names[Number(key) - 1];
  return names.find((name) => foldText(name) === key);
}

function integerOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^[0-9]+$/.test(value.trim())) {
    const number = Number(value.trim());
    return Number.isSafeInteger(number) ? number : undefined;
  }
  return undefined;
}

/** The value a workflow gets, or an error message when it does not follow its parameter's rule. */
function check(parameter: WorkflowParameter, value: unknown): { value: unknown } | { problem: string } {
  const { name } = parameter;
  switch (parameter.type) {
    case 'string': {
      if (typeof value !== 'string') return { problem: `${name} must be a text` };
      const text = value.trim();
      const least = parameter.minLength ?? 0;
      if ([...text].length < least) return { problem: `${name} must have at least ${least} characters` };
      if (!parameter.values) return { value: text };
      const listed = parameter.values.find((v) => foldText(v) === foldText(text));
      return listed === undefined
        ? { problem: `${name} must be one of ${parameter.values.join(', ')}` }
        : { value: listed };
    }
    case 'integer': {
      const number = integerOf(value);
      if (number === undefined) return { problem: `${name} must be an integer` };
      const least = parameter.minimum;
      return least !== undefined && number < least
        ? { problem: `${name} must be at least ${least}` }
        : { value: number };
    }
    case 'priority': {
      const priority = priorityOf(value);
      return priority === undefined
        ? {
            problem: `${name} must be one of ${catalog.cmms.priorities.join(', ')} (or 1-${catalog.cmms.priorities.length})`,
          }
        : { value: priority };
    }
  }
}

/** The required parameters that `params` lacks (absent, null or blank). */
export function missingParameters(id: DagId, params: Record<string, unknown>): string[] {
  return parametersOf(id)
    .filter((p) => p.required && isBlank(params[p.name]))
    .map((p) => p.name);
}

/** Why `params` cannot run workflow `id` (`invalid_params`), or null when they can. */
export function invalidParameters(id: DagId, params: Record<string, unknown>): string | null {
  const missing = missingParameters(id, params);
  const problems = missing.length ? [`${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required`] : [];
  for (const parameter of parametersOf(id)) {
    if (isBlank(params[parameter.name])) continue;
    const checked = check(parameter, params[parameter.name]);
    if ('problem' in checked) problems.push(checked.problem);
  }
  return problems.length ? problems.join('; ') : null;
}

/** The catalog's parameters of `params`, normalized (only after `invalidParameters` gave null). */
export function normalizeParameters(id: DagId, params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const parameter of parametersOf(id)) {
    if (isBlank(params[parameter.name])) continue;
    const checked = check(parameter, params[parameter.name]);
    if ('value' in checked) out[parameter.name] = checked.value;
  }
  return out;
}

/** CMMS priorities from the least urgent to the most; the number a user may type is the position (1–4). */
export const CMMS_PRIORITIES: readonly string[] = catalog.cmms.priorities;
/** How long one attempt of a run may take before it ends as `workflow_timeout` (both runners). */
export const RUN_TIMEOUT_SECONDS: number = catalog.runs.timeoutSeconds;
/** States of a finished work order; every other state is pending. */
export const CLOSED_WORK_ORDER_STATES: readonly string[] = catalog.cmms.closedWorkOrderStates;

/** What a failed CMMS call is, as both runners see it. */
export interface CmmsFailure {
  /** The HTTP status, when the CMMS answered. */
  status?: number;
  /** The CMMS answered 2xx with a body that is not what the API documents. */
  badResponse?: boolean;
  /** The call was made with a user's own token (their 401 is `identity_expired`, their 403 `not_allowed`). */
  asUser?: boolean;
}

/** No answer, a 5xx, or an unreadable answer without a status: a write may have been applied. */
export const mayHaveReachedCmms = (failure: CmmsFailure | null): boolean =>
  failure !== null && (failure.status === undefined || failure.status >= 500);

/** The error code of a failed CMMS call: the same table in both runners. */
export function cmmsErrorCode(failure: CmmsFailure): ErrorCode {
  const table = catalog.cmmsFailures;
  const code = ((): string => {
    if (failure.badResponse) return table.badResponse;
    if (failure.status === undefined) return table.noAnswer;
    const asUser: Record<string, string> = table.asUser;
    if (failure.asUser && Object.hasOwn(asUser, String(failure.status))) return asUser[String(failure.status)]!;
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
  const { actsAs } = catalog.workflows[id] as { actsAs?: unknown };
  if (actsAs !== undefined && actsAs !== 'user') {
    throw new Error(`workflows/catalog.json: ${id} has an unknown actsAs ${String(actsAs)}`);
  }
  for (const p of catalog.workflows[id].parameters) {
    if (!['string', 'integer', 'priority'].includes(p.type)) {
      throw new Error(`workflows/catalog.json: ${id}.${p.name} has unknown type ${p.type}`);
    }
    const { minLength, values, minimum } = p as WorkflowParameter;
    if (minLength !== undefined && (p.type !== 'string' || !Number.isInteger(minLength) || minLength < 0)) {
      throw new Error(`workflows/catalog.json: ${id}.${p.name} has a bad minLength`);
    }
    if (values !== undefined && (p.type !== 'string' || !Array.isArray(values) || !values.length)) {
      throw new Error(`workflows/catalog.json: ${id}.${p.name} has bad values`);
    }
    if (minimum !== undefined && (p.type !== 'integer' || !Number.isSafeInteger(minimum))) {
      throw new Error(`workflows/catalog.json: ${id}.${p.name} has a bad minimum`);
    }
  }
}
