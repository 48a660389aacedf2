/**
 * `WorkflowRunner` over the Airflow REST API, with undici.
 *
 * Airflow 3 (`apiVersion: 'v2'`, the default): a JWT from `POST {base}/auth/token`, cached until
 * shortly before it expires and refreshed once on a 401/403; runs via `/api/v2`. Airflow 2
 * (`'v1'`): basic auth on `/api/v1`. Triggering is idempotent (409 = the run already exists), a
 * missing or paused DAG is reported up front, network errors and 5xx are retried with exponential
 * backoff. Tokens and passwords are never logged.
 */
import { Agent, type Dispatcher, request } from 'undici';
import { WorkflowUnavailableError } from '../errors.ts';
import { retry } from '../retry.ts';
import type { WorkflowConf, WorkflowError, WorkflowRunner, WorkflowState, WorkflowStatus } from './types.ts';

export interface AirflowRunnerLogger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export interface AirflowRunnerOptions {
  /** Airflow's base URL, e.g. `http://127.0.0.1:8080` (the api-server; no `/api/v2`). */
  baseUrl: string;
  /** Without a username no credentials are sent (Airflow 3 `simple_auth_manager_all_admins`). */
  username?: string;
  password?: string;
  apiVersion?: 'v2' | 'v1';
  /** Per request: connect, headers and body timeouts. Default 10 s. */
  timeoutMs?: number;
  /** Retries after a network error or a 5xx. Default 3. */
  retries?: number;
  /** The first retry's wait, doubled on each later retry, plus up to 20 % (never less). Default 250 ms. */
  retryBaseMs?: number;
  /** How long a DAG found unpaused is trusted before `is_paused` is asked again. Default 10 s. */
  pausedCacheMs?: number;
  /** The task whose XCom `return_value` is the workflow result (see `dags/`). Default `result`. */
  resultTaskId?: string;
  logger?: AirflowRunnerLogger;
  /** An undici dispatcher to use instead of the runner's own `Agent`. */
  dispatcher?: Dispatcher;
}

interface Reply {
  status: number;
  body: unknown;
}

const RUN_STATES: Record<string, WorkflowState> = {
  queued: 'queued',
  running: 'running',
  success: 'success',
  failed: 'failed',
};

const noLogger: AirflowRunnerLogger = { info() {}, warn() {}, error() {} };
const TOKEN_EARLY_REFRESH_MS = 60_000;

function jwtExpiry(token: string): number {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    if (typeof payload.exp === 'number') return payload.exp * 1000;
  } catch {
    // not a JWT we can read: keep it until a 401 says otherwise
  }
  return Number.POSITIVE_INFINITY;
}

function detailOf(body: unknown): string {
  if (body && typeof body === 'object' && 'detail' in body) {
    const detail = (body as { detail: unknown }).detail;
    return typeof detail === 'string' ? detail : JSON.stringify(detail);
  }
  return typeof body === 'string' ? body.slice(0, 200) : JSON.stringify(body ?? null).slice(0, 200);
}

/** A reply body: JSON when it parses, else its text. */
function parseBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** An XCom value as Airflow returns it: an object (Airflow 3) or a JSON string (older APIs). */
export function parseXcomValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function asWorkflowError(value: unknown): WorkflowError | undefined {
  if (value && typeof value === 'object') {
    const { code, message } = value as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return { code, message: typeof message === 'string' ? message : code };
  }
  return undefined;
}

export function createAirflowRunner(options: AirflowRunnerOptions): WorkflowRunner {
  const base = options.baseUrl.replace(/\/+$/, '');
  const apiVersion = options.apiVersion ?? 'v2';
  const api = `/api/${apiVersion}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 3;
  const retryBaseMs = options.retryBaseMs ?? 250;
  const pausedCacheMs = options.pausedCacheMs ?? 10_000;
  const resultTaskId = options.resultTaskId ?? 'result';
  const log = options.logger ?? noLogger;
  const ownAgent = options.dispatcher
    ? undefined
    : new Agent({ connectTimeout: timeoutMs, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections: 8 });
  const dispatcher = options.dispatcher ?? (ownAgent as Dispatcher);
  const basicAuth =
    options.username !== undefined
      ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`
      : undefined;

  let token: { value: string; expiresAt: number } | undefined;
  let tokenPending: Promise<string> | undefined;
  const runnableUntil = new Map<string, number>();

  /** One HTTP exchange with retries on network errors and 5xx; other statuses are returned. */
  async function exchange(method: 'GET' | 'POST', path: string, body: unknown, authorization?: string): Promise<Reply> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authorization) headers.authorization = authorization;
    const once = async (attempt: number): Promise<Reply> => {
      let problem: string;
      try {
        const res = await request(`${base}${path}`, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          dispatcher,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const text = await res.body.text();
        if (res.statusCode < 500) return { status: res.statusCode, body: parseBody(text) };
        problem = `HTTP ${res.statusCode}`;
      } catch (err) {
        problem = (err as { code?: string }).code ?? (err as Error).name;
      }
      log.warn({ method, path, attempt, problem }, 'airflow request failed');
      throw new WorkflowUnavailableError('unreachable', `Airflow unreachable (${method} ${path}): ${problem}`);
    };
    // The error's Retry-After is for omnibot's own clients; between attempts the backoff applies.
    return retry(once, { attempts: retries + 1, delay: { baseMs: retryBaseMs, jitter: 'up' }, honorRetryAfter: false });
  }

  async function fetchToken(): Promise<string> {
    const reply = await exchange('POST', '/auth/token', {
      username: options.username,
      password: options.password ?? '',
    });
    const accessToken = (reply.body as { access_token?: unknown } | null)?.access_token;
    if ((reply.status !== 200 && reply.status !== 201) || typeof accessToken !== 'string') {
      log.error({ status: reply.status }, 'airflow refused the credentials');
      throw new WorkflowUnavailableError('unreachable', `Airflow refused the credentials (auth/token ${reply.status})`);
    }
    token = { value: accessToken, expiresAt: jwtExpiry(accessToken) };
    return accessToken;
  }

  async function authorization(): Promise<string | undefined> {
    if (apiVersion === 'v1' || options.username === undefined) return basicAuth;
    if (token && token.expiresAt - TOKEN_EARLY_REFRESH_MS > Date.now()) return `Bearer ${token.value}`;
    tokenPending ??= fetchToken().finally(() => {
      tokenPending = undefined;
    });
    return `Bearer ${await tokenPending}`;
  }

  /** An authenticated call; a 401/403 with a cached JWT gets one fresh token and one more try. */
  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply> {
    let reply = await exchange(method, path, body, await authorization());
    const jwt = apiVersion === 'v2' && options.username !== undefined;
    if (jwt && (reply.status === 401 || reply.status === 403)) {
      token = undefined;
      reply = await exchange(method, path, body, await authorization());
    }
    if (reply.status === 401 || reply.status === 403) {
      log.error({ method, path, status: reply.status }, 'airflow denied the request');
      throw new WorkflowUnavailableError('unreachable', `Airflow denied ${method} ${path} (${reply.status})`);
    }
    return reply;
  }

  const dagPath = (dagId: string) => `${api}/dags/${encodeURIComponent(dagId)}`;
  const runPath = (dagId: string, runId: string) => `${dagPath(dagId)}/dagRuns/${encodeURIComponent(runId)}`;

  async function assertRunnable(dagId: string): Promise<void> {
    // Only "runnable" is cached: a paused DAG is asked again on every trigger, so unpausing takes effect at once.
    if ((runnableUntil.get(dagId) ?? 0) > Date.now()) return;
    const reply = await call('GET', dagPath(dagId));
    if (reply.status === 404) throw new WorkflowUnavailableError('dag_missing', `Airflow has no DAG ${dagId}`);
    if (reply.status !== 200) {
      throw new WorkflowUnavailableError('unreachable', `Airflow answered ${reply.status} for DAG ${dagId}`);
    }
    if ((reply.body as { is_paused?: unknown } | null)?.is_paused === true) {
      throw new WorkflowUnavailableError('dag_paused', `Airflow DAG ${dagId} is paused`);
    }
    runnableUntil.set(dagId, Date.now() + pausedCacheMs);
  }

  async function readXcom(dagId: string, runId: string, key: string): Promise<unknown> {
    const query = apiVersion === 'v1' ? '?deserialize=true&stringify=false' : '';
    const path = `${runPath(dagId, runId)}/taskInstances/${encodeURIComponent(resultTaskId)}/xcomEntries/${encodeURIComponent(key)}${query}`;
    try {
      const reply = await call('GET', path);
      if (reply.status !== 200) return undefined;
      return parseXcomValue((reply.body as { value?: unknown } | null)?.value);
    } catch (err) {
      log.warn({ dagId, runId, key, err }, 'airflow xcom not readable');
      return undefined;
    }
  }

  return {
    kind: 'airflow',

    async trigger(dagId: string, runId: string, conf: WorkflowConf): Promise<void> {
      await assertRunnable(dagId);
      const body = apiVersion === 'v2' ? { dag_run_id: runId, logical_date: null, conf } : { dag_run_id: runId, conf };
      const reply = await call('POST', `${dagPath(dagId)}/dagRuns`, body);
      if (reply.status === 200 || reply.status === 201) {
        log.info({ dagId, runId }, 'airflow run triggered');
        return;
      }
      if (reply.status === 409) {
        log.info({ dagId, runId }, 'airflow run already exists');
        return;
      }
      if (reply.status === 404) {
        runnableUntil.delete(dagId);
        throw new WorkflowUnavailableError('dag_missing', `Airflow has no DAG ${dagId}`);
      }
      log.error({ dagId, runId, status: reply.status, detail: detailOf(reply.body) }, 'airflow rejected the run');
      throw new WorkflowUnavailableError('rejected', `Airflow rejected run ${runId} of ${dagId} (${reply.status})`);
    },

    async status(dagId: string, runId: string): Promise<WorkflowStatus> {
      const reply = await call('GET', runPath(dagId, runId));
      if (reply.status !== 200) return { state: 'unknown' };
      const raw = (reply.body as { state?: unknown } | null)?.state;
      const state = (typeof raw === 'string' && Object.hasOwn(RUN_STATES, raw) && RUN_STATES[raw]) || 'unknown';
      if (state === 'success') {
        const result = await readXcom(dagId, runId, 'return_value');
        return result === undefined ? { state } : { state, result };
      }
      if (state === 'failed') {
        const error = asWorkflowError(await readXcom(dagId, runId, 'error'));
        return {
          state,
          error: error ?? { code: 'workflow_failed', message: `Airflow run ${runId} of ${dagId} failed` },
        };
      }
      return { state };
    },

    async close(): Promise<void> {
      await ownAgent?.close();
    },
  };
}
