/**
 * The Airflow the tier's tests run against (started by scripts/airflow/test.sh) and the few admin
 * calls the tests need: Variables, pausing a DAG, reading runs and task instances.
 */
import { request } from 'undici';

export interface AirflowEnv {
  url: string;
  username: string;
  password: string;
}

export function airflowEnv(): AirflowEnv {
  const url = process.env.AIRFLOW_URL;
  const username = process.env.AIRFLOW_USERNAME;
  const password = process.env.AIRFLOW_PASSWORD;
  if (!url || !username || !password) {
    throw new Error(
      'AIRFLOW_URL, AIRFLOW_USERNAME and AIRFLOW_PASSWORD must point at a running Airflow: run scripts/airflow/test.sh',
    );
  }
  return { url: url.replace(/\/+$/, ''), username, password };
}

export interface AirflowAdmin {
  get(path: string): Promise<{ status: number; body: unknown }>;
  setVariable(key: string, value: string): Promise<void>;
  setVariables(values: Record<string, string>): Promise<void>;
  setPaused(dagId: string, paused: boolean): Promise<void>;
  dagRunCount(dagId: string, runId: string): Promise<number>;
  taskInstance(dagId: string, runId: string, taskId: string): Promise<{ state: string; try_number: number }>;
  waitForRunEnd(dagId: string, runId: string, timeoutMs?: number): Promise<string>;
}

export function airflowAdmin(env: AirflowEnv = airflowEnv()): AirflowAdmin {
  let token: string | undefined;

  async function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) {
    if (!token) {
      const res = await request(`${env.url}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: env.username, password: env.password }),
      });
      const json = (await res.body.json()) as { access_token: string };
      if (res.statusCode >= 300) throw new Error(`auth/token answered ${res.statusCode}`);
      token = json.access_token;
    }
    // Airflow's SQLite answers 500 ("database is locked") now and then on a busy machine: try again.
    for (let attempt = 1; ; attempt++) {
      const res = await request(`${env.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      if (res.statusCode >= 500 && attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
        continue;
      }
      return { status: res.statusCode, body: text ? (JSON.parse(text) as unknown) : null };
    }
  }

  const admin: AirflowAdmin = {
    get: (path) => send('GET', path),
    async setVariable(key, value) {
      const patched = await send('PATCH', `/api/v2/variables/${encodeURIComponent(key)}`, { key, value });
      if (patched.status === 404) {
        const created = await send('POST', '/api/v2/variables', { key, value });
        if (created.status >= 300) throw new Error(`creating variable ${key}: ${created.status}`);
      } else if (patched.status >= 300) {
        throw new Error(`updating variable ${key}: ${patched.status}`);
      }
    },
    async setVariables(values) {
      for (const [key, value] of Object.entries(values)) await admin.setVariable(key, value);
    },
    async setPaused(dagId, paused) {
      const res = await send('PATCH', `/api/v2/dags/${dagId}`, { is_paused: paused });
      if (res.status !== 200) throw new Error(`pausing ${dagId}: ${res.status}`);
    },
    async dagRunCount(dagId, runId) {
      const res = await send('GET', `/api/v2/dags/${dagId}/dagRuns?limit=100&order_by=-run_after`);
      const runs = (res.body as { dag_runs: { dag_run_id: string }[] }).dag_runs;
      return runs.filter((run) => run.dag_run_id === runId).length;
    },
    async taskInstance(dagId, runId, taskId) {
      const res = await send(
        'GET',
        `/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances/${taskId}`,
      );
      return res.body as { state: string; try_number: number };
    },
    async waitForRunEnd(dagId, runId, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await send('GET', `/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}`);
        const state = (res.body as { state?: string } | null)?.state ?? 'missing';
        if (state === 'success' || state === 'failed') return state;
        if (Date.now() > deadline) throw new Error(`run ${runId} of ${dagId} still ${state} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
  };
  return admin;
}

/** A run id unique to this test process, valid for Airflow (`[A-Za-z0-9_.~:+-]`). */
export function uniqueRunId(label: string): string {
  return `test__${label}__${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
}
