import { createHash } from 'node:crypto';
import type { CmmsClient } from '../cmms/client.ts';
import { REPORT_MARKER_PREFIX } from '../cmms/reported-failure.ts';
import { UpstreamError } from '../errors.ts';
import type {
  ListEquipmentResult,
  PendingWorkOrdersResult,
  ReportFailureResult,
  WorkOrderStatusResult,
} from './results.ts';
import { DAG_IDS, type WorkflowError } from './types.ts';

/**
 * The workflows in TypeScript, run in-process by `LocalRunner`. `dags/` holds the same logic as
 * Airflow DAGs; both return the shapes of `results.ts`. A run may be started again after its
 * process died (`run.attempt > 1`): every workflow must then give the first attempt's outcome, so
 * the ones that write to the CMMS look for what an earlier attempt wrote before writing again.
 */
export type WorkflowDefinition = (
  cmms: CmmsClient,
  params: Record<string, unknown>,
  run?: WorkflowRunContext,
) => Promise<unknown>;

export interface WorkflowRunContext {
  runId: string;
  /** 1 for the first start; more when the run was resumed after its process died. */
  attempt: number;
  /** When the run's first attempt started (ms since the epoch). */
  startedAt?: number;
  /** Called right before a write to the CMMS: throws when another process has taken the run over. */
  confirmHeld?: () => Promise<void>;
}

const PENDING_LIMIT = 10;

export const workflows: Record<string, WorkflowDefinition> = {
  [DAG_IDS.workOrderStatus]: async (cmms, params): Promise<WorkOrderStatusResult> => {
    const numeroot = String(params.numeroot ?? '').trim();
    if (!numeroot) throw new WorkflowFailure('invalid_params', 'numeroot is required');
    const order = await cmms.findWorkOrder(numeroot);
    return order ? { found: true, order } : { found: false, numeroot };
  },
  [DAG_IDS.reportFailure]: async (cmms, params, run): Promise<ReportFailureResult> => {
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
      // No answer, or a 5xx: the order may exist all the same. Reported twice is worse than a look-up.
      // No status (timeout, reset) or a 5xx: the create may have reached the CMMS.
      if (workflowErrorOf(error).code !== 'cmms_unreachable') throw error;
      const created = await cmms.findReportedFailure({ ...lookup, since: run?.startedAt ?? sentAt }).catch(() => null);
      if (created) return { order: created };
      throw error;
    }
  },
  [DAG_IDS.listEquipment]: async (cmms): Promise<ListEquipmentResult> => {
    const equipment = await cmms.listEquipment();
    return { total: equipment.length, equipment };
  },
  [DAG_IDS.pendingWorkOrders]: async (cmms): Promise<PendingWorkOrdersResult> => {
    const orders = await cmms.listPendingWorkOrders();
    return { total: orders.length, orders: orders.slice(0, PENDING_LIMIT) };
  },
};

const since = (startedAt: number | undefined) => (startedAt === undefined ? {} : { since: startedAt });

/**
 * What a failure report writes in `observacionesadicionales` (the demo CMMS keeps it as
 * `observacionesfinales`): readable by people, unique to the run, and without the user's ids (a
 * digest of the run id). Same text as `dags/omnibot_common/workflows.py`.
 */
export function reportMarker(runId: string): string {
  return `${REPORT_MARKER_PREFIX} (ref. ${createHash('sha256').update(runId).digest('hex').slice(0, 16)})`;
}

export class WorkflowFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The `error` of a failed workflow's callback, with the codes the conversation renders. */
export function workflowErrorOf(error: unknown): WorkflowError {
  if (error instanceof WorkflowFailure) return { code: error.code, message: error.message };
  if (error instanceof UpstreamError) {
    const status = error.details?.upstreamStatus as number | undefined;
    const code =
      status === 401 || status === 403
        ? 'cmms_auth'
        : status === undefined || status >= 500
          ? 'cmms_unreachable'
          : 'cmms_error';
    return { code, message: error.message };
  }
  return { code: 'workflow_error', message: error instanceof Error ? error.message : String(error) };
}
