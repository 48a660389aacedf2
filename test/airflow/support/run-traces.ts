/**
 * What Airflow keeps of a DAG run, read through its REST API: the run (its conf and times), and the
 * XCom values and task logs of each of its task instances and Airflow's audit log of it (which
 * records the trigger's conf), for tests that look for what must not be
 * there (a user's CMMS token).
 */
import type { AirflowAdmin } from './airflow-admin.ts';

export interface DagRun {
  dag_id: string;
  dag_run_id: string;
  state: string;
  conf: Record<string, unknown> | null;
  queued_at: string | null;
  start_date: string | null;
  end_date: string | null;
}

export interface RunTraces {
  /** `task_id` + XCom key → the XCom's value, JSON. */
  xcoms: Record<string, string>;
  /** `task_id` + try number → the task log (its JSON answer). */
  logs: Record<string, string>;
  /** Airflow's audit log (`eventLogs`) of the run, JSON. */
  audit: string;
}

const runPath = (run: DagRun) => `/api/v2/dags/${run.dag_id}/dagRuns/${encodeURIComponent(run.dag_run_id)}`;

async function ok(admin: AirflowAdmin, path: string): Promise<unknown> {
  const res = await admin.get(path);
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The runs of `dagId` triggered for this conversation (`conf.conversation_id`), most recent first. */
export async function runsFor(admin: AirflowAdmin, dagId: string, conversationId: string): Promise<DagRun[]> {
  const body = (await ok(admin, `/api/v2/dags/${dagId}/dagRuns?limit=100&order_by=-run_after`)) as {
    dag_runs: DagRun[];
  };
  return body.dag_runs.filter((run) => run.conf?.conversation_id === conversationId);
}

/** The run, read again (its final state and times). */
export async function readRun(admin: AirflowAdmin, run: DagRun): Promise<DagRun> {
  return (await ok(admin, runPath(run))) as DagRun;
}

/** Every XCom value and every try's log of every task instance of the run. */
export async function runTraces(admin: AirflowAdmin, run: DagRun): Promise<RunTraces> {
  const audit = await ok(
    admin,
    `/api/v2/eventLogs?dag_id=${run.dag_id}&run_id=${encodeURIComponent(run.dag_run_id)}&limit=100`,
  );
  const traces: RunTraces = { xcoms: {}, logs: {}, audit: JSON.stringify(audit) };
  const { task_instances } = (await ok(admin, `${runPath(run)}/taskInstances`)) as {
    task_instances: { task_id: string; try_number: number; map_index: number }[];
  };
  for (const ti of task_instances) {
    const taskPath = `${runPath(run)}/taskInstances/${ti.task_id}`;
    const { xcom_entries } = (await ok(admin, `${taskPath}/xcomEntries`)) as { xcom_entries: { key: string }[] };
    for (const { key } of xcom_entries) {
      const entry = (await ok(
        admin,
        `${taskPath}/xcomEntries/${encodeURIComponent(key)}?map_index=${ti.map_index}`,
      )) as {
        value: unknown;
      };
      traces.xcoms[`${ti.task_id}/${key}`] = JSON.stringify(entry.value);
    }
    for (let attempt = 1; attempt <= Math.max(1, ti.try_number); attempt++) {
      traces.logs[`${ti.task_id}/${attempt}`] = JSON.stringify(
        await ok(admin, `${taskPath}/logs/${attempt}?full_content=true`),
      );
    }
  }
  return traces;
}

/** Milliseconds from `from` to `to` (ISO 8601), or NaN when one is missing. */
export const span = (from: string | null, to: string | null) =>
  from && to ? new Date(to).getTime() - new Date(from).getTime() : Number.NaN;

/**
 * The figures for the closing note (no assertion on them): `chat` from the user's message (or
 * pressed button) to the assistant's answer; `queued→end` and `start→end` as Airflow recorded the run.
 */
export function printTimings(rows: { step: string; chatMs: number; run?: DagRun }[]): void {
  const ms = (n: number) => (Number.isNaN(n) ? '-' : `${(n / 1000).toFixed(1)} s`);
  const lines = rows.map(({ step, chatMs, run }) =>
    [
      step.padEnd(32),
      ms(chatMs).padStart(8),
      ms(run ? span(run.queued_at, run.end_date) : Number.NaN).padStart(10),
      ms(run ? span(run.start_date, run.end_date) : Number.NaN).padStart(10),
    ].join(' '),
  );
  const head = `${'step'.padEnd(32)} ${'chat'.padStart(8)} ${'queued→end'.padStart(10)} ${'start→end'.padStart(10)}`;
  console.log(['linked-user flow through real Airflow:', head, ...lines].join('\n'));
}
