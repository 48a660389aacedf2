/**
 * The workflow seam. A complex conversation step starts a workflow (an Airflow DAG run, or the same
 * workflow in-process with `LocalRunner`); the workflow's result comes back as a signed callback to
 * `POST /api/bot/webhook` (see `callback.ts`).
 */

/** `conf` of a DAG run: the same for every workflow. */
export interface WorkflowConf {
  conversation_id: string;
  run_id: string;
  callback_url: string;
  params: Record<string, unknown>;
}

/**
 * `lost`: the run's process died before it ended (embedded runner: its lease ran out without a
 * result); triggering the same run id again resumes it.
 */
export type WorkflowState = 'queued' | 'running' | 'success' | 'failed' | 'lost' | 'unknown';

export interface WorkflowStatus {
  state: WorkflowState;
  /** The workflow's result when it is known without the callback (e.g. read back from XCom). */
  result?: unknown;
  error?: WorkflowError;
}

export interface WorkflowError {
  code: string;
  message: string;
}

export interface WorkflowRunner {
  readonly kind: 'local' | 'airflow';
  /**
   * Starts a run. Idempotent: triggering an existing `runId` again is a success, not a second run;
   * a `lost` run is resumed (its workflow runs again and must give the first attempt's outcome).
   */
  trigger(dagId: string, runId: string, conf: WorkflowConf): Promise<void>;
  status(dagId: string, runId: string): Promise<WorkflowStatus>;
  close(): Promise<void>;
}

/** The callback body a workflow POSTs to the gateway when it ends. */
export interface WorkflowCallback {
  conversation_id: string;
  run_id: string;
  dag_id: string;
  status: 'success' | 'failed';
  result?: unknown;
  error?: WorkflowError;
}

/** The workflows omnibot runs, one DAG each (same ids in `dags/`). */
export const DAG_IDS = {
  workOrderStatus: 'consultar_estado_ot',
  reportFailure: 'reportar_falla',
  listEquipment: 'listar_equipos',
  pendingWorkOrders: 'listar_ot_pendientes',
} as const;

export type DagId = (typeof DAG_IDS)[keyof typeof DAG_IDS];

/**
 * Airflow run ids allow `[A-Za-z0-9_.~:+-]`; the id is derived from the conversation and its turn so
 * that a retried step triggers the same run (409 = already there). `turn` may carry the conversation's
 * epoch too (`<epoch>-<n>`), so a conversation restarted from scratch never reuses an old run id.
 */
export function workflowRunId(conversationId: string, turn: number | string): string {
  const safe = conversationId.replace(/[^A-Za-z0-9_.~+-]/g, '_');
  return `omnibot__${safe}__t${turn}`;
}
