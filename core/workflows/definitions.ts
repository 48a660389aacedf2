import { createHash } from 'node:crypto';
import {
  cmmsErrorCode,
  type DagId,
  type ErrorCode,
  missingParameters,
  workflowConstants,
} from '../../workflows/catalog.ts';
import type { CmmsClient } from '../cmms/client.ts';
import { REPORT_MARKER_PREFIX } from '../cmms/reported-failure.ts';
import { OmnibotError, UpstreamError } from '../errors.ts';
import type { WorkflowResults } from './results.ts';
import type { WorkflowError } from './types.ts';

/**
 * The workflows in TypeScript, run in-process by `LocalRunner`: one per catalog id
 * (`workflows/catalog.json`; a missing one is a type error). `dags/` holds the same logic as
 * Airflow DAGs; both return the shapes of `results.ts`. A run may be started again after its
 * process died (`run.attempt > 1`): every workflow must then give the first attempt's outcome, so
 * the ones that write to the CMMS look for what an earlier attempt wrote before writing again.
 */
export type WorkflowDefinition<Result = unknown> = (
  cmms: CmmsClient,
  params: Record<string, unknown>,
  run?: WorkflowRunContext,
) => Promise<Result>;

export interface WorkflowRunContext {
  runId: string;
  /** 1 for the first start; more when the run was resumed after its process died. */
  attempt: number;
  /** When the run's first attempt started (ms since the epoch). */
  startedAt?: number;
  /** Called right before a write to the CMMS: throws when another process has taken the run over. */
  confirmHeld?: () => Promise<void>;
}

const definitions: { [K in DagId]: WorkflowDefinition<WorkflowResults[K]> } = {
  consultar_estado_ot: async (cmms, params) => {
    const numeroot = String(params.numeroot ?? '').trim();
    const order = await cmms.findWorkOrder(numeroot);
    return order ? { found: true, order } : { found: false, numeroot };
  },
  reportar_falla: async (cmms, params, run) => {
    const idequipo = Number(params.idequipo);
    const descripcion = String(params.descripcion ?? '').trim();
    if (!Number.isInteger(idequipo) || descripcion.length < 10) {
      throw new WorkflowFailure('invalid_params', 'idequipo and a description of at least 10 characters are required');
    }
    // The order carries its run's marker, so a resumed run finds it instead of creating a second one.
    const marker = run && reportMarker(run.runId);
    const lookup = { ...(marker ? { marker } : {}), idequipo, descripcion };
    if (marker && run.attempt > 1) {
      const existing = await cmms.findReportedFailure({ ...lookup, ...since(run.startedAt) });
      if (existing) return { order: existing };
    }
    await run?.confirmHeld?.();
    const sentAt = Date.now();
    try {
      const order = await cmms.reportFailure({
        idequipo,
        descripcion,
        ...(params.prioridad ? { prioridad: String(params.prioridad) } : {}),
        ...(marker ? { observaciones: marker } : {}),
      });
      return { order };
    } catch (error) {
      // No answer (timeout, reset) or a 5xx: the create may have reached the CMMS, and an order
      // reported twice is worse than a look-up.
      if (!mayHaveReachedCmms(error)) throw error;
      const created = await cmms.findReportedFailure({ ...lookup, since: run?.startedAt ?? sentAt }).catch(() => null);
      if (created) return { order: created };
      throw error;
    }
  },
  listar_equipos: async (cmms) => {
    const equipment = await cmms.listEquipment();
    return { total: equipment.length, equipment };
  },
  listar_ot_pendientes: async (cmms) => {
    const orders = await cmms.listPendingWorkOrders();
    return { total: orders.length, orders: orders.slice(0, workflowConstants('listar_ot_pendientes').limit) };
  },
};

/** The catalog's required parameters are checked first, as the DAGs check them. */
function withParameters(id: DagId, definition: WorkflowDefinition): WorkflowDefinition {
  return async (cmms, params, run) => {
    const missing = missingParameters(id, params);
    if (missing.length) {
      throw new WorkflowFailure(
        'invalid_params',
        `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required`,
      );
    }
    return definition(cmms, params, run);
  };
}

/** The definitions by DAG id, for the runner (which looks a callback's `dag_id` up as an own key). */
export const workflows: Readonly<Record<string, WorkflowDefinition>> = Object.fromEntries(
  (Object.keys(definitions) as DagId[]).map((id) => [id, withParameters(id, definitions[id])]),
);

const since = (startedAt: number | undefined) => (startedAt === undefined ? {} : { since: startedAt });

/**
 * What a failure report writes in `observacionesadicionales` (the demo CMMS keeps it as
 * `observacionesfinales`): readable by people, unique to the run, and without the user's ids (a
 * digest of the run id). Same text as `dags/omnibot_common/workflows.py`.
 */
export function reportMarker(runId: string): string {
  return `${REPORT_MARKER_PREFIX} (ref. ${createHash('sha256').update(runId).digest('hex').slice(0, 16)})`;
}

/** A workflow ended in failure with one of the catalog's error codes. */
export class WorkflowFailure extends OmnibotError {
  declare readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}

const upstreamStatus = (error: UpstreamError) => error.details?.upstreamStatus as number | undefined;

function mayHaveReachedCmms(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  const status = upstreamStatus(error);
  return status === undefined || status >= 500;
}

/**
 * The `error` of a failed workflow's callback, with the catalog's codes: a CMMS failure gets the
 * code the DAGs give the same failure (`cmmsErrorCode`).
 */
export function workflowErrorOf(error: unknown): WorkflowError {
  if (error instanceof WorkflowFailure) return { code: error.code, message: error.message };
  if (error instanceof UpstreamError) {
    // `details.badResponse`: the CMMS answered 2xx with a body that is not what its API documents.
    const status = upstreamStatus(error);
    const failure =
      error.details?.badResponse === true ? { badResponse: true } : status === undefined ? {} : { status };
    return { code: cmmsErrorCode(failure), message: error.message };
  }
  return { code: 'workflow_error', message: error instanceof Error ? error.message : String(error) };
}
