/**
 * The CMMS REST API's HTTP mapping, in one place (Somacor CMMS, Django REST Framework). Routes are
 * relative to `{CMMS_URL}{CMMS_API_PREFIX}`; a later CMMS serves most of them under `/api/v2/`.
 */
export const cmmsRoutes = {
  login: 'login/',
  workOrders: 'ordenes-trabajo/',
  workOrder: (id: number) => `ordenes-trabajo/${id}/`,
  reportFailure: 'ordenes-trabajo/reportar-falla/',
  completeWorkOrder: (id: number) => `ordenes-trabajo/${id}/completar/`,
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

/** Work-order states that are finished; every other state is pending. */
export const CLOSED_WORK_ORDER_STATES = ['Completada', 'Cancelada'];

/** Null prototype: a priority read from the CMMS never finds an inherited property. */
export const PRIORITY_RANK: Record<string, number> = Object.assign(Object.create(null), {
  Crítica: 0,
  Alta: 1,
  Media: 2,
  Baja: 3,
});

/** DRF pagination `{count, next, previous, results}`; a bare list is tolerated. */
export interface Page<T> {
  count: number;
  next: string | null;
  results: T[];
}

export function asPage<T>(body: unknown): Page<T> {
  if (Array.isArray(body)) return { count: body.length, next: null, results: body as T[] };
  const page = body as Partial<Page<T>> | null;
  if (!page || !Array.isArray(page.results)) throw new Error('unexpected CMMS list shape');
  return { count: page.count ?? page.results.length, next: page.next ?? null, results: page.results };
}
