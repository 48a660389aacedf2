import {
  type CmmsFailure,
  cmmsErrorCode,
  DAG_IDS,
  type DagId,
  type ErrorCode,
  invalidParameters,
  normalizeParameters,
} from '../../workflows/catalog.ts';
import { type RunContext, workflowModule } from '../../workflows/index.ts';
import type { CmmsClient } from '../cmms/client.ts';
import { ConfigError, OmnibotError, UpstreamError } from '../errors.ts';
import type { WorkflowError } from './types.ts';

/**
 * The workflows as the in-process runner (`LocalRunner`) calls them: each catalog id's module
 * (`workflows/<dag_id>.ts`) behind the catalog's parameter check, with the run's context and the
 * core's error types. `dags/` holds the same workflows as Airflow DAGs.
 */
export type WorkflowDefinition<Result = unknown> = (
  cmms: CmmsClient,
  params: Record<string, unknown>,
  run?: WorkflowRunContext,
) => Promise<Result>;

/** The run a runner starts a workflow for (see `RunContext` in `workflows/workflow.ts`). */
export type WorkflowRunContext = Pick<RunContext, 'attempt' | 'startedAt' | 'confirmHeld'> & { runId: string };

/** A workflow ended in failure with one of the catalog's error codes. */
export class WorkflowFailure extends OmnibotError {
  declare readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}

/** The catalog's parameters are checked (and normalized) first, as the DAGs do. */
function definitionOf(id: DagId): WorkflowDefinition {
  const module = workflowModule(id);
  return async (cmms, params, run) => {
    const problem = invalidParameters(id, params);
    if (problem !== null) throw new WorkflowFailure('invalid_params', problem);
    return module.run(cmms, normalizeParameters(id, params), {
      attempt: 1,
      ...run,
      fail: (code, message) => {
        throw new WorkflowFailure(code, message);
      },
      cmmsFailureOf: (error) => (error instanceof UpstreamError ? rawCmmsFailure(error) : null),
    });
  };
}

/** The definitions by DAG id, for the runner (which looks a callback's `dag_id` up as an own key). */
export const workflows: Readonly<Record<string, WorkflowDefinition>> = Object.fromEntries(
  DAG_IDS.map((id) => [id, definitionOf(id)]),
);

/**
 * `details.badResponse`: the CMMS answered 2xx with a body that is not what its API documents;
 * `details.asUser`: the call was made with a user's own token (`CmmsClient.asUser`).
 */
function rawCmmsFailure(error: UpstreamError): CmmsFailure {
  const status = error.details?.upstreamStatus as number | undefined;
  return {
    ...(status === undefined ? {} : { status }),
    ...(error.details?.badResponse === true ? { badResponse: true } : {}),
    ...(error.details?.asUser === true ? { asUser: true } : {}),
  };
}

/**
 * The `error` of a failed workflow's callback, with the catalog's codes: a CMMS failure gets the
 * code the DAGs give the same failure (`cmmsErrorCode`): with a user's token a 401
 * (`details.identityExpired`) is `identity_expired`, a 403 `not_allowed`.
 */
export function workflowErrorOf(error: unknown): WorkflowError {
  if (error instanceof WorkflowFailure) return { code: error.code, message: error.message };
  // The CMMS client's own settings cannot serve the call (v2 with a token alone): the DAGs' config_missing.
  if (error instanceof ConfigError) return { code: 'config_missing', message: error.message };
  if (error instanceof UpstreamError && error.details?.identityExpired === true) {
    return { code: 'identity_expired', message: error.message };
  }
  if (error instanceof UpstreamError) return { code: cmmsErrorCode(rawCmmsFailure(error)), message: error.message };
  return { code: 'workflow_error', message: error instanceof Error ? error.message : String(error) };
}
