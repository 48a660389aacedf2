import { Agent, request } from 'undici';
import { isRecord } from '../../lib/is-record.ts';
import type { WorkflowCmms } from '../../workflows/cmms.ts';
import { UpstreamError } from '../errors.ts';
import { parseRetryAfter } from '../http/retry-after.ts';
import type { Logger } from '../log.ts';
import { retry } from '../retry.ts';
import {
  type EquipmentSummary,
  summarizeEquipment,
  summarizeWorkOrder,
  type WorkOrderSummary,
} from '../workflows/results.ts';
import { answered, BUSY_STATUSES, badResponse, busy, failed, RETRY_AFTER_MAX_MS, refusedLogin } from './failures.ts';
import { matchEquipment } from './match-equipment.ts';
import { OrderIdCache, orderNumberKey, primaryKeyOf } from './order-ids.ts';
import { comparePending, isPendingState } from './pending.ts';
import { FIND_PAGES, pickReportedFailure, type ReportedFailureQuery } from './reported-failure.ts';
import { asPage, CMMS_LOGIN_PATH, CMMS_MAX_PAGES, cmmsAuthHeader, cmmsRoutes, type Page } from './routes.ts';

export { matchEquipment } from './match-equipment.ts';

/**
 * What omnibot asks of the CMMS: the workflows' calls (`WorkflowCmms`) and the conversation's
 * equipment lookup. One implementation: HTTP (the demo CMMS speaks the same API).
 */
export interface CmmsClient extends WorkflowCmms {
  /**
   * Equipment whose internal code equals the query, else whose code, name, brand and model hold every
   * word of it (accents and case ignored). An empty query lists every active equipment.
   */
  findEquipment(query: string): Promise<EquipmentSummary[]>;
  close(): Promise<void>;
}

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

/** Backoff between retries of a GET: 200 ms, then 400 ms, each plus up to 20 % (never shorter). */
const RETRY_BACKOFF = { baseMs: 200, jitter: 'up' } as const;

export function createCmmsClient(options: CmmsClientOptions): CmmsClient {
  const prefix = `/${(options.apiPrefix ?? '/api/').replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
  const root = options.baseUrl.replace(/\/+$/, '');
  const base = `${root}${prefix}`;
  /** A route relative to the API prefix, or a path from `CMMS_URL` when it starts with `/` (the login). */
  const urlOf = (path: string) => (path.startsWith('/') ? `${root}${path}` : `${base}${path}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const dispatcher = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs });
  let token = options.token;
  let equipmentCache: { at: number; items: EquipmentSummary[] } | undefined;
  const orderIds = options.orderIds ?? new OrderIdCache();

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
    return key;
  }

  /**
   * One exchange: a network error, a 5xx or a busy answer throws (retryable), a non-JSON 2xx too (not);
   * other statuses are returned.
   */
  async function exchange(
    method: 'GET' | 'POST',
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
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    auth = true,
    retried = false,
  ): Promise<unknown> {
    if (auth && !token && canLogIn) await login(); // a service account acts logged in (as the DAGs' client)
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && token) headers.authorization = cmmsAuthHeader(token);
    const reply = await retry(() => exchange(method, path, body, headers), {
      attempts: method === 'GET' ? retries + 1 : 1,
      shouldRetry: (error) => error instanceof UpstreamError && error.retryable,
      delay: RETRY_BACKOFF,
      maxRetryAfterMs: RETRY_AFTER_MAX_MS,
      onRetry: (error, { attempt }) =>
        options.logger?.warn({ path, attempt, err: error }, 'CMMS call failed, retrying'),
    });
    if (reply.status === 401 && auth && !retried && canLogIn) {
      await login();
      return call(method, path, body, auth, true);
    }
    if (reply.status >= 400) throw answered(method, path, reply.status, reply.text);
    return reply.json;
  }

  /** Page `n` of a list; a page of work orders fills the number → id cache. */
  async function listPage(path: string, n: number): Promise<Page<Record<string, unknown>>> {
    const page = asPage(await call('GET', `${path}?page=${n}`));
    if (path === cmmsRoutes.workOrders) orderIds.remember(page.results);
    return page;
  }

  /** A list's pages in order; a list longer than the catalog's `maxPages` is a bad response (as in the DAGs). */
  async function* pages(path: string): AsyncGenerator<Page<Record<string, unknown>>> {
    for (let n = 1; ; n++) {
      const page = await listPage(path, n);
      yield page;
      if (!page.next) return;
      if (n >= CMMS_MAX_PAGES) throw badResponse(`CMMS pagination of ${path} exceeded ${CMMS_MAX_PAGES} pages`);
    }
  }

  async function allPages(path: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for await (const page of pages(path)) items.push(...page.results);
    return items;
  }

  /** The order whose primary key is `id`; null on a 404 or an answer that is no order. */
  async function orderById(id: number): Promise<Record<string, unknown> | null> {
    let body: unknown;
    try {
      body = await call('GET', cmmsRoutes.workOrder(id));
    } catch (error) {
      if (error instanceof UpstreamError && error.details?.upstreamStatus === 404) return null;
      throw error;
    }
    if (!isRecord(body) || !orderNumberKey(body.numeroot)) return null;
    orderIds.remember([body]);
    return body;
  }

  /**
   * The API has no filter on `numeroot`, so: (1) a number of digits only ("18", "OT-18") is tried as
   * a primary key first (order-ids.ts `primaryKeyOf`); (2) a number seen within the cache's TTL is
   * read by its id, and kept only if the detail still has that number; (3) else the list is paged
   * up to the first page that has it (every page read fills the cache). Requests: 1 for a cached
   * number or an id; the pages up to the order's otherwise (plus 1 when a digits-only number is no id).
   */
  async function findWorkOrder(numeroot: string): Promise<WorkOrderSummary | null> {
    const wanted = orderNumberKey(numeroot);
    const id = primaryKeyOf(wanted);
    if (id !== undefined) {
      const order = await orderById(id);
      if (order) return summarizeWorkOrder(order);
    }
    const cachedId = orderIds.get(wanted);
    if (cachedId !== undefined) {
      const order = cachedId === id ? null : await orderById(cachedId); // that id was just read
      if (order && orderNumberKey(order.numeroot) === wanted) return summarizeWorkOrder(order);
      orderIds.forget(wanted);
    }
    for await (const page of pages(cmmsRoutes.workOrders)) {
      const found = page.results.find((o) => orderNumberKey(o.numeroot) === wanted);
      if (found) return summarizeWorkOrder(found);
    }
    return null;
  }

  /**
   * The API cannot filter, so this pages: the first page, then from the real last one back (a recent
   * order is at one end whichever way the CMMS sorts its list), reading `FIND_PAGES` pages at most.
   */
  async function findReportedFailure(query: ReportedFailureQuery): Promise<WorkOrderSummary | null> {
    const page = (n: number) => listPage(cmmsRoutes.workOrders, n);
    const firstPage = await page(1);
    const found = pickReportedFailure(firstPage.results, query);
    if (found) return summarizeWorkOrder(found);
    if (!firstPage.next || !firstPage.results.length) return null;
    const lastPage = Math.ceil(firstPage.count / firstPage.results.length);
    for (let n = lastPage, read = 1; n >= 2 && read < FIND_PAGES; n--, read++) {
      const match = pickReportedFailure((await page(n)).results, query);
      if (match) return summarizeWorkOrder(match);
    }
    return null;
  }

  async function listEquipment(): Promise<EquipmentSummary[]> {
    const cacheMs = options.equipmentCacheMs ?? 60_000;
    if (equipmentCache && Date.now() - equipmentCache.at < cacheMs) return equipmentCache.items;
    const items = (await allPages(cmmsRoutes.equipment)).filter((e) => e.activo !== false).map(summarizeEquipment);
    equipmentCache = { at: Date.now(), items };
    return items;
  }

  return {
    findWorkOrder,
    findReportedFailure,
    listEquipment,
    async findEquipment(query) {
      const all = await listEquipment();
      return matchEquipment(all, query);
    },
    async reportFailure(input) {
      const body = await call('POST', cmmsRoutes.reportFailure, {
        idequipo: input.idequipo,
        descripcionproblemareportado: input.descripcion,
        ...(input.prioridad ? { prioridad: input.prioridad } : {}),
        ...(input.observaciones ? { observacionesadicionales: input.observaciones } : {}),
      });
      // Some versions wrap the new order: {message, orden}. An order without its number is no order.
      const order = isRecord(body) && !('numeroot' in body) && isRecord(body.orden) ? body.orden : body;
      if (!isRecord(order) || String(order.numeroot ?? '').trim() === '') {
        throw badResponse('CMMS answered reportar-falla with no order');
      }
      return summarizeWorkOrder(order);
    },
    async listPendingWorkOrders() {
      const orders = (await allPages(cmmsRoutes.workOrders))
        .filter((o) => isPendingState(o.estado_nombre))
        .map(summarizeWorkOrder);
      return orders.sort(comparePending);
    },
    async close() {
      await dispatcher.close();
    },
  };
}
