import { isRecord } from '../../lib/is-record.ts';
import type { WorkflowCmms } from '../../workflows/cmms.ts';
import { UpstreamError } from '../errors.ts';
import {
  type EquipmentSummary,
  summarizeEquipment,
  summarizeWorkOrder,
  type WorkOrderSummary,
} from '../workflows/results.ts';
import { badResponse } from './failures.ts';
import { matchEquipment } from './match-equipment.ts';
import { OrderIdCache, orderNumberKey, primaryKeyOf } from './order-ids.ts';
import { comparePending, isPendingState } from './pending.ts';
import { FIND_PAGES, pickReportedFailure, type ReportedFailureQuery } from './reported-failure.ts';
import { asPage, CMMS_MAX_PAGES, cmmsRoutes, type Page } from './routes.ts';
import { type CmmsClientOptions, createCmmsTransport } from './transport.ts';

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

export type { CmmsClientOptions };

export function createCmmsClient(options: CmmsClientOptions): CmmsClient {
  const { call, close } = createCmmsTransport(options);
  let equipmentCache: { at: number; items: EquipmentSummary[] } | undefined;
  const orderIds = options.orderIds ?? new OrderIdCache();

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
      await close();
    },
  };
}
