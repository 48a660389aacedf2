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

// Workflow ids (`DagId`) and run ids (`workflowRunId`) live in `workflows/`, shared with the machine and the DAGs.
