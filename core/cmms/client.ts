import { Agent, request } from 'undici';
import { UpstreamError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { retry } from '../retry.ts';
import { foldText } from '../text/fold.ts';
import {
  type EquipmentSummary,
  summarizeEquipment,
  summarizeWorkOrder,
  type WorkOrderSummary,
} from '../workflows/results.ts';
import { pickReportedFailure, type ReportedFailureQuery } from './reported-failure.ts';
import { asPage, CLOSED_WORK_ORDER_STATES, cmmsAuthHeader, cmmsRoutes, PRIORITY_RANK } from './routes.ts';

/** What omnibot asks of the CMMS. One implementation: HTTP (the demo CMMS speaks the same API). */
export interface CmmsClient {
  findWorkOrder(numeroot: string): Promise<WorkOrderSummary | null>;
  listEquipment(): Promise<EquipmentSummary[]>;
  /**
   * Equipment whose internal code equals the query, else whose code, name, brand and model hold every
   * word of it (accents and case ignored). An empty query lists every active equipment.
   */
  findEquipment(query: string): Promise<EquipmentSummary[]>;
  /** Creates a corrective order; `observaciones` is kept by the CMMS (as `observacionesfinales`). */
  reportFailure(input: {
    idequipo: number;
    descripcion: string;
    prioridad?: string;
    observaciones?: string;
  }): Promise<WorkOrderSummary>;
  /** The order an earlier `reportFailure` of the same run created (see `reported-failure.ts`), or null. */
  findReportedFailure(query: ReportedFailureQuery): Promise<WorkOrderSummary | null>;
  /** Orders not Completada/Cancelada, most urgent first, then the oldest (as the DAG sorts them). */
  listPendingWorkOrders(): Promise<WorkOrderSummary[]>;
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
  /** Retries of a GET after a network error or a 5xx (never of a POST: it may have been applied). Default 2. */
  retries?: number;
  equipmentCacheMs?: number;
  logger?: Logger;
}

const MAX_PAGES = 200;
/** Backoff between retries of a GET: 200 ms, then 400 ms (equal jitter: half of it random). */
const RETRY_BACKOFF = { baseMs: 200, maxMs: 2_000, jitter: 'equal' } as const;
/** Pages a look-up for a reported failure reads at most (the first one and the newest ones). */
const FIND_PAGES = 50;

export function createCmmsClient(options: CmmsClientOptions): CmmsClient {
  const prefix = `/${(options.apiPrefix ?? '/api/').replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
  const base = `${options.baseUrl.replace(/\/+$/, '')}${prefix}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 2;
  const dispatcher = new Agent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: timeoutMs });
  let token = options.token;
  let equipmentCache: { at: number; items: EquipmentSummary[] } | undefined;

  async function login(): Promise<string> {
    if (!options.username || !options.password) {
      throw new UpstreamError('cmms', 'CMMS requires a token: set CMMS_TOKEN or CMMS_USERNAME/CMMS_PASSWORD', {
        status: 401,
        retryable: false,
      });
    }
    const body = (await call(
      'POST',
      cmmsRoutes.login,
      { username: options.username, password: options.password },
      false,
    )) as {
      token?: string;
    };
    if (!body.token) throw new UpstreamError('cmms', 'CMMS login answered without a token', { retryable: false });
    token = body.token;
    return token;
  }

  /** One exchange: a network error or a 5xx throws (retryable), a non-JSON 2xx too (not); other statuses are returned. */
  async function exchange(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ status: number; text: string; json: unknown }> {
    let status: number;
    let text: string;
    try {
      const response = await request(`${base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        dispatcher,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw failed(method, path, error);
    }
    if (status >= 500) throw answered(method, path, status, text);
    if (status >= 400) return { status, text, json: null };
    try {
      return { status, text, json: text ? JSON.parse(text) : null };
    } catch {
      // Not what the API documents (as the DAGs see it too): asking again will not change it.
      throw new UpstreamError('cmms', `CMMS answered non-JSON to ${method} ${path}`, {
        retryable: false,
        details: { badResponse: true },
      });
    }
  }

  /** A CMMS call: a GET is retried (network errors, 5xx); a 401 logs in again once when it can. */
  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    auth = true,
    retried = false,
  ): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth && token) headers.authorization = cmmsAuthHeader(token);
    const reply = await retry(() => exchange(method, path, body, headers), {
      attempts: method === 'GET' ? retries + 1 : 1,
      shouldRetry: (error) => error instanceof UpstreamError && error.retryable,
      delay: RETRY_BACKOFF,
      onRetry: (error, { attempt }) =>
        options.logger?.warn({ path, attempt, err: error }, 'CMMS call failed, retrying'),
    });
    if (reply.status === 401 && auth && !retried && options.username) {
      await login();
      return call(method, path, body, auth, true);
    }
    if (reply.status >= 400) throw answered(method, path, reply.status, reply.text);
    return reply.json;
  }

  async function allPages<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const result = asPage<T>(await call('GET', `${path}?page=${page}`));
      items.push(...result.results);
      if (!result.next) return items;
    }
    return items;
  }

  /** Pages until the first match: the API has no filter on `numeroot`. */
  async function findWorkOrder(numeroot: string): Promise<WorkOrderSummary | null> {
    const wanted = numeroot.trim().toUpperCase();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const result = asPage<Record<string, unknown>>(await call('GET', `${cmmsRoutes.workOrders}?page=${page}`));
      const found = result.results.find((o) => String(o.numeroot ?? '').toUpperCase() === wanted);
      if (found) return summarizeWorkOrder(found);
      if (!result.next) return null;
    }
    return null;
  }

  /**
   * The API cannot filter, so this pages: the first page, then from the real last one back (a recent
   * order is at one end whichever way the CMMS sorts its list), reading `FIND_PAGES` pages at most.
   */
  async function findReportedFailure(query: ReportedFailureQuery): Promise<WorkOrderSummary | null> {
    const page = async (n: number) =>
      asPage<Record<string, unknown>>(await call('GET', `${cmmsRoutes.workOrders}?page=${n}`));
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
    if (!token && options.username) await login();
    const items = (await allPages<Record<string, unknown>>(cmmsRoutes.equipment))
      .filter((e) => e.activo !== false)
      .map(summarizeEquipment);
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
      const order = (body as { orden?: Record<string, unknown> }).orden ?? (body as Record<string, unknown>);
      return summarizeWorkOrder(order);
    },
    async listPendingWorkOrders() {
      const orders = (await allPages<Record<string, unknown>>(cmmsRoutes.workOrders))
        .filter((o) => !CLOSED_WORK_ORDER_STATES.includes(String(o.estado_nombre)))
        .map(summarizeWorkOrder);
      return orders.sort(
        (a, b) =>
          (PRIORITY_RANK[a.prioridad ?? ''] ?? 9) - (PRIORITY_RANK[b.prioridad ?? ''] ?? 9) ||
          String(a.fechacreacionot).localeCompare(String(b.fechacreacionot)),
      );
    },
    async close() {
      await dispatcher.close();
    },
  };
}

/**
 * The CMMS's own data matched against a query (codes and names, no language): an empty query is
 * every equipment; an exact internal code wins; else every word (2+ characters) must appear.
 */
export function matchEquipment(all: EquipmentSummary[], query: string): EquipmentSummary[] {
  const q = foldText(query);
  if (!q) return all;
  const exact = all.filter((e) => foldText(e.codigointerno ?? '') === q);
  if (exact.length) return exact;
  const words = q.split(' ').filter((w) => w.length >= 2);
  if (!words.length) return [];
  return all.filter((e) => {
    const haystack = foldText(`${e.codigointerno ?? ''} ${e.nombreequipo} ${e.marca ?? ''} ${e.modelo ?? ''}`);
    return words.every((w) => haystack.includes(w));
  });
}

/** No answer (refused, reset, timed out): the call may be retried. */
function failed(method: string, path: string, error: unknown): UpstreamError {
  return new UpstreamError('cmms', `CMMS ${method} ${path} failed: ${(error as Error).message}`, { retryable: true });
}

/** The CMMS answered with an error status: retryable when it is a 5xx. */
function answered(method: string, path: string, status: number, text: string): UpstreamError {
  return new UpstreamError('cmms', `CMMS ${method} ${path} answered ${status}: ${text.slice(0, 200)}`, {
    status,
    retryable: status >= 500,
  });
}
