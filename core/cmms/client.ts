import { isRecord } from '../../lib/is-record.ts';
import type { CmmsUserSummary, WorkflowCmms } from '../../workflows/cmms.ts';
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
import { type CmmsCall, type CmmsClientOptions, createCmmsTransport } from './transport.ts';
import { type CmmsApiContext, type CmmsCatalogs, cmmsApiVariant, createCmmsCatalogs } from './v2.ts';

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
  /**
   * The same CMMS as the user whose token this is: the same HTTP agent and caches, never a login
   * (no service account). Its failures carry `details.asUser`; a 401 also `details.identityExpired`
   * (`workflowErrorOf`: `identity_expired`; a 403 `not_allowed`). Its `close` closes nothing.
   */
  asUser(token: string, userId?: number): CmmsClient;
  /** Every work order as the CMMS answers it (all its fields, e.g. `observacionesfinales`), page by page. */
  listWorkOrderRecords(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export type { CmmsClientOptions };

/** What every client of one CMMS shares, the service account's and the users': caches only. */
interface SharedCaches {
  orderIds: OrderIdCache;
  equipment: { at: number; items: EquipmentSummary[] } | undefined;
  /** Work-order states and maintenance types by name (v2.ts). */
  catalogs: CmmsCatalogs;
}

export function createCmmsClient(options: CmmsClientOptions): CmmsClient {
  const transport = createCmmsTransport(options);
  const shared: SharedCaches = {
    orderIds: options.orderIds ?? new OrderIdCache(),
    equipment: undefined,
    catalogs: createCmmsCatalogs(),
  };
  const clientOf = (token: string, userId?: number): CmmsClient =>
    clientOver(transport.forUser(token), async () => userId, shared, options, clientOf);
  const service = clientOver(transport.call, transport.actingUserId, shared, options, clientOf);
  return { ...service, close: () => transport.close() };
}

/** The client's calls over one session's `call` (the service account's, or a user's). */
function clientOver(
  call: CmmsCall,
  /** Whoever acts (v2 files reports as them): the service account's id from its login, or the linked user's. */
  actingUserId: () => Promise<number | undefined>,
  shared: SharedCaches,
  options: CmmsClientOptions,
  asUser: (token: string, userId?: number) => CmmsClient,
  close: () => Promise<void> = async () => {},
): CmmsClient {
  const { orderIds } = shared;
  /** What differs between the original API and `/api/v2/` (v2.ts), by `CMMS_API_PREFIX`. */
  const variant = cmmsApiVariant(options.apiPrefix);
  const ctx: CmmsApiContext = { call, actingUserId, catalogs: shared.catalogs };

  /** Page `n` of a list; a page of work orders fills the number → id cache. */
  async function listPage(path: string, n: number): Promise<Page<Record<string, unknown>>> {
    const page = asPage(await call('GET', `${path}?page=${n}`));
    if (path === cmmsRoutes.workOrders) {
      page.results = page.results.map(variant.orderOf);
      orderIds.remember(page.results);
    }
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
    return variant.orderOf(body);
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
    const searched = await variant.findOrderByNumber(ctx, numeroot); // v2: search/ordenes/ (one request)
    if (searched) {
      orderIds.remember([searched]);
      return summarizeWorkOrder(searched);
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
    const cached = shared.equipment;
    if (cached && Date.now() - cached.at < cacheMs) return cached.items;
    const items = (await allPages(cmmsRoutes.equipment)).filter((e) => e.activo !== false).map(summarizeEquipment);
    shared.equipment = { at: Date.now(), items };
    return items;
  }

  /** An order a write answered: its number → id is remembered, as a read's. */
  const written = (order: Record<string, unknown>) => {
    orderIds.remember([order]);
    return summarizeWorkOrder(order);
  };

  return {
    findWorkOrder,
    findReportedFailure,
    listEquipment,
    async findEquipment(query) {
      const all = await listEquipment();
      return matchEquipment(all, query);
    },
    async reportFailure(input) {
      return written(await variant.createCorrectiveOrder(ctx, input));
    },
    async listPendingWorkOrders() {
      const orders = (await allPages(cmmsRoutes.workOrders))
        .filter((o) => isPendingState(o.estado_nombre))
        .map(summarizeWorkOrder);
      return orders.sort(comparePending);
    },
    listWorkOrderRecords: () => allPages(cmmsRoutes.workOrders),
    async listWorkOrders() {
      return (await allPages(cmmsRoutes.workOrders)).map(summarizeWorkOrder);
    },
    async updateWorkOrder(id, change) {
      return written(await variant.changeOrder(ctx, id, change));
    },
    async completeWorkOrder(id, input) {
      return written(await variant.completeOrder(ctx, id, input));
    },
    async listUsers() {
      const users = (await allPages(variant.listUsersRoute)).map((raw) => variant.userOf(raw));
      return users.filter((u): u is CmmsUserSummary => u !== null);
    },
    asUser,
    close,
  };
}
