import { isRecord } from '../../lib/is-record.ts';
import catalog from '../../workflows/catalog.json' with { type: 'json' };
import { badResponse } from './failures.ts';

/**
 * The CMMS REST API's HTTP mapping, in one place (Somacor CMMS, Django REST Framework): the client
 * calls these routes and the demo CMMS serves them (`':id'` is the demo's path parameter). Routes are
 * relative to `{CMMS_URL}{CMMS_API_PREFIX}`; a later CMMS serves most of them under `/api/v2/`.
 */
export const cmmsRoutes = {
  /** Served under `/api/` whatever the prefix: the client posts to `CMMS_LOGIN_PATH`. */
  login: 'login/',
  logout: 'logout/',
  users: 'users/',
  roles: 'roles/',
  workOrders: 'ordenes-trabajo/',
  workOrder: (id: number | ':id') => `ordenes-trabajo/${id}/`,
  reportFailure: 'ordenes-trabajo/reportar-falla/',
  completeWorkOrder: (id: number | ':id') => `ordenes-trabajo/${id}/completar/`,
  equipment: 'equipos/',
  workOrderStates: 'estados-orden-trabajo/',
  maintenanceTypes: 'tipos-mantenimiento-ot/',
  equipmentStates: 'estados-equipo/',
  equipmentTypes: 'tipos-equipo/',
  sites: 'faenas/',
} as const;

/**
 * Where the client logs in, relative to `CMMS_URL`: always `/api/login/`, also when `CMMS_API_PREFIX`
 * is `/api/v2/` (the later CMMS keeps its login there; `/api/v2/login/` is a 404). The DAGs post to
 * the same path (dags/omnibot_common/cmms_login.py `LOGIN_PATH`).
 */
export const CMMS_LOGIN_PATH = `/api/${cmmsRoutes.login}`;

/** DRF TokenAuthentication: `Token <key>` (a `Bearer` token gets a 401). */
export function cmmsAuthHeader(token: string): string {
  return `Token ${token}`;
}

/** The pages a list is read to at most (the catalog's, the DAGs read it too): needing more is a bad response. */
export const CMMS_MAX_PAGES: number = catalog.cmms.maxPages;

/** DRF pagination `{count, next, previous, results}`; a bare list is tolerated, anything else is a bad response. */
export interface Page<T> {
  count: number;
  next: string | null;
  results: T[];
}

/** A list answer as a page; items that are not objects are dropped (as the DAGs do). */
export function asPage(body: unknown): Page<Record<string, unknown>> {
  const results = Array.isArray(body) ? body : isRecord(body) ? body.results : undefined;
  if (!Array.isArray(results)) throw badResponse('CMMS list has neither results nor a list');
  const page = Array.isArray(body) ? {} : (body as { count?: unknown; next?: unknown });
  return {
    count: typeof page.count === 'number' ? page.count : results.length,
    next: typeof page.next === 'string' && page.next ? page.next : null,
    results: results.filter(isRecord),
  };
}
