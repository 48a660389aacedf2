import { CLOSED_WORK_ORDER_STATES as CLOSED_STATES, CMMS_PRIORITIES } from '../../workflows/catalog.ts';
import { UpstreamError } from '../errors.ts';

/**
 * The CMMS REST API's HTTP mapping, in one place (Somacor CMMS, Django REST Framework): the client
 * calls these routes and the demo CMMS serves them (`':id'` is the demo's path parameter). Routes are
 * relative to `{CMMS_URL}{CMMS_API_PREFIX}`; a later CMMS serves most of them under `/api/v2/`.
 */
export const cmmsRoutes = {
  login: 'login/',
  workOrders: 'ordenes-trabajo/',
  workOrder: (id: number | ':id') => `ordenes-trabajo/${id}/`,
  reportFailure: 'ordenes-trabajo/reportar-falla/',
  completeWorkOrder: (id: number | ':id') => `ordenes-trabajo/${id}/completar/`,
  equipment: 'equipos/',
  workOrderStates: 'estados-orden-trabajo/',
  maintenanceTypes: 'tipos-mantenimiento-ot/',
  equipmentStates: 'estados-equipo/',
  sites: 'faenas/',
} as const;

/** DRF TokenAuthentication: `Token <key>` (a `Bearer` token gets a 401). */
export function cmmsAuthHeader(token: string): string {
  return `Token ${token}`;
}

/** Work-order states that are finished; every other state is pending (from the workflow catalog). */
export const CLOSED_WORK_ORDER_STATES: readonly string[] = CLOSED_STATES;

/**
 * Most urgent first: `Crítica` 0 … `Baja` 3 (the catalog lists them the other way round). Null
 * prototype: a priority read from the CMMS never finds an inherited property.
 */
export const PRIORITY_RANK: Record<string, number> = Object.assign(
  Object.create(null),
  Object.fromEntries(CMMS_PRIORITIES.map((name, i) => [name, CMMS_PRIORITIES.length - 1 - i])),
);

/** DRF pagination `{count, next, previous, results}`; a bare list is tolerated, anything else is a bad response. */
export interface Page<T> {
  count: number;
  next: string | null;
  results: T[];
}

export function asPage<T>(body: unknown): Page<T> {
  if (Array.isArray(body)) return { count: body.length, next: null, results: body as T[] };
  const page = body as Partial<Page<T>> | null;
  if (!page || !Array.isArray(page.results)) {
    throw new UpstreamError('cmms', 'CMMS list has neither results nor a list', {
      retryable: false,
      details: { badResponse: true },
    });
  }
  return { count: page.count ?? page.results.length, next: page.next ?? null, results: page.results };
}
