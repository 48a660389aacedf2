/**
 * The workflow seam. A complex conversation step starts a workflow (an Airflow DAG run, or the same
 * workflow in-process with `LocalRunner`); the workflow's result comes back as a signed callback to
 * `POST /api/bot/webhook` (see `callback.ts`).
 */

/** `conf` of a DAG run: the same for every workflow. Never a token or a password. */
export interface WorkflowConf {
  conversation_id: string;
  run_id: string;
  callback_url: string;
  params: Record<string, unknown>;
  /**
   * The linked CMMS user the run acts for (absent: the service account). The run gets the user's token
   * from the gateway: in-process from the identity service, an Airflow DAG from `credentials_url`.
   */
  acting_as?: { cmms_user_id: number; username: string };
  /**
   * `{PUBLIC_URL}/api/bot/credentials` (with `acting_as`): POST `{conversation_id, run_id, dag_id,
   * cmms_user_id, ts}` (ts: unix seconds) signed as the callback (`X-Omnibot-Signature:
   * sha256=<HMAC(CALLBACK_SECRET, body)>`). `run_id` and `dag_id` are the DAG run's OWN
   * (`dag_run.run_id`, `dag.dag_id`), never read from this conf (anyone who can trigger a DAG chooses
   * its conf); `cmms_user_id` is `acting_as.cmms_user_id`. → 200 `{token}` while that run is the
   * conversation's pending one and the conversation has a live link of that CMMS user; 403
   * `{error: "identity_expired"}` when the link is gone, expired or now another user's; 401 for a bad
   * signature or a `ts` more than 60 s off; 409 when the run (run_id and dag_id) is not pending there.
   */
  credentials_url?: string;
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
