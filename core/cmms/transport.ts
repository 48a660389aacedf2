import { Agent, request } from 'undici';
import { isRecord } from '../../lib/is-record.ts';
import { UpstreamError } from '../errors.ts';
import { parseRetryAfter } from '../http/retry-after.ts';
import type { Logger } from '../log.ts';
import { retry } from '../retry.ts';
import {
  answered,
  asUserError,
  BUSY_STATUSES,
  badResponse,
  busy,
  failed,
  RETRY_AFTER_MAX_MS,
  refusedLogin,
} from './failures.ts';
import type { OrderIdCache } from './order-ids.ts';
import { CMMS_LOGIN_PATH, cmmsAuthHeader } from './routes.ts';
import { loginUserId } from './v2.ts';

/** Backoff between retries of a GET: 200 ms, then 400 ms, each plus up to 20 % (never shorter). */
const RETRY_BACKOFF = { baseMs: 200, jitter: 'up' } as const;

export interface CmmsClientOptions {
  /** `CMMS_URL`, e.g. `http://cmms:8000` (no trailing slash). */
  baseUrl: string;
  apiPrefix?: string;
  token?: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
  /**
   * Retries of a GET after a network error, a 5xx or a busy answer (408, 429: after its `Retry-After`);
   * never of a POST (it may have been applied). Default 2.
   */
  retries?: number;
  equipmentCacheMs?: number;
  /** Work-order number → id pairs (default: one cache per client); pass one to share it between clients of one CMMS. */
  orderIds?: OrderIdCache;
  logger?: Logger;
}

export type CmmsMethod = 'GET' | 'POST' | 'PATCH';

/** One CMMS call: the parsed JSON answer, or an `UpstreamError` (see `failures.ts`). */
export type CmmsCall = (method: CmmsMethod, path: string, body?: unknown) => Promise<unknown>;

export interface CmmsTransport {
  /** A call with the service account's session (its token; a login when it has none, again on a 401). */
  call: CmmsCall;
  /**
   * A call with a user's own token, over the same HTTP agent: never a login. Its errors carry
   * `details.asUser`; a 401 (the user's CMMS session is gone) also `details.identityExpired`.
   */
  forUser(token: string): CmmsCall;
  /** The service account's CMMS user id, from its login answer (logging in when it has not yet); undefined with only a token. */
  actingUserId(): Promise<number | undefined>;
  close(): Promise<void>;
}

/**
 * The HTTP side of the CMMS client: URLs under `CMMS_URL` and the API prefix, the session (a token,
 * or a service account's login; or a user's token), retries of GETs, and the statuses that end as errors.
 */
export function createCmmsTransport(options: CmmsClientOptions): CmmsTransport {
  const prefix = `/${(options.apiPrefix ?? '/api/').replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
  const root = options.baseUrl.replace(/\/+$/, '');
  const base = `${root}${prefix}`;
  /** A route relative to the API prefix, or a path from `CMMS_URL` when it starts with `/` (the login). */
  const urlOf = (path: string) => (path.startsWith('/') ? `${root}${path}` : `${base}${path}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const dispatcher = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs });
  let token = options.token;
  let serviceUserId: number | undefined;

  const canLogIn = Boolean(options.username && options.password);

  /**
   * `POST {CMMS_URL}/api/login/` (whatever the API prefix). A refused login is a 401 (`cmms_auth`), as
   * a refused token is; an answer without a token is a bad response.
   */
  async function login(): Promise<string> {
    if (!canLogIn) {
      throw new UpstreamError('cmms', 'CMMS requires a token: set CMMS_TOKEN or CMMS_USERNAME/CMMS_PASSWORD', {
        status: 401,
        retryable: false,
      });
    }
    let body: unknown;
    try {
      body = await call('POST', CMMS_LOGIN_PATH, { username: options.username, password: options.password }, false);
    } catch (error) {
      throw refusedLogin(error);
    }
    const key = isRecord(body) ? body.token : undefined;
    if (typeof key !== 'string' || !key) throw badResponse('CMMS login answered without a token');
    token = key;
    serviceUserId = loginUserId(body) ?? serviceUserId;
    return key;
  }

  /**
   * One exchange: a network error, a 5xx or a busy answer throws (retryable), a non-JSON 2xx too (not);
   * other statuses are returned.
   */
  async function exchange(
    method: CmmsMethod,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string; json: unknown }> {
    let status: number;
    let text: string;
    let retryAfter: string | string[] | undefined;
    try {
      const response = await request(urlOf(path), {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        dispatcher,
      });
      status = response.statusCode;
      text = await response.body.text();
      retryAfter = response.headers['retry-after'];
    } catch (error) {
      throw failed(method, path, error);
    }
    if (status >= 500) throw answered(method, path, status, text);
    if (BUSY_STATUSES.has(status)) throw busy(method, path, status, parseRetryAfter(retryAfter) ?? undefined);
    if (status >= 400) return { status, text, json: null };
    try {
      return { status, text, json: text ? JSON.parse(text) : null };
    } catch {
      // Not what the API documents (as the DAGs see it too): asking again will not change it.
      throw badResponse(`CMMS answered non-JSON to ${method} ${path}`);
    }
  }

  /**
   * A CMMS call: a GET is retried (network errors, 5xx, busy). With a service account it logs in first
   * when there is no token, and again once on a 401 (a CMMS logout deletes the token), then calls again.
   */
  async function call(
    method: CmmsMethod,
    path: string,
    body?: unknown,
    auth = true,
    retried = false,
  ): Promise<unknown> {
    if (auth && !token && canLogIn) await login(); // a service account acts logged in (as the DAGs' client)
    const reply = await send(method, path, body, auth ? token : undefined);
    if (reply.status === 401 && auth && !retried && canLogIn) {
      await login();
      return call(method, path, body, auth, true);
    }
    if (reply.status >= 400) throw answered(method, path, reply.status, reply.text);
    return reply.json;
  }

  /** One call with `key` (none: anonymous), a GET retried on network errors, 5xx and busy answers. */
  function send(method: CmmsMethod, path: string, body: unknown, key: string | undefined) {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key) headers.authorization = cmmsAuthHeader(key);
    return retry(() => exchange(method, path, body, headers), {
      attempts: method === 'GET' ? retries + 1 : 1,
      shouldRetry: (error) => error instanceof UpstreamError && error.retryable,
      delay: RETRY_BACKOFF,
      maxRetryAfterMs: RETRY_AFTER_MAX_MS,
      onRetry: (error, { attempt }) =>
        options.logger?.warn({ path, attempt, err: error }, 'CMMS call failed, retrying'),
    });
  }

  function forUser(userToken: string): CmmsCall {
    return async (method, path, body) => {
      try {
        const reply = await send(method, path, body, userToken);
        if (reply.status >= 400) throw answered(method, path, reply.status, reply.text);
        return reply.json;
      } catch (error) {
        throw asUserError(error);
      }
    };
  }

  async function actingUserId(): Promise<number | undefined> {
    if (serviceUserId === undefined && canLogIn) await login();
    return serviceUserId;
  }

  return {
    call: (method, path, body) => call(method, path, body),
    forUser,
    actingUserId,
    close: () => dispatcher.close(),
  };
}
