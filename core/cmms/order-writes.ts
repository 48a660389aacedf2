import { isRecord } from '../../lib/is-record.ts';
import type { CompleteWorkOrderInput, ReportFailureInput, WorkOrderChange } from '../../workflows/cmms.ts';
import { badResponse } from './failures.ts';
import { cmmsRoutes } from './routes.ts';

/**
 * The CMMS writes, as small functions a later API version can swap one by one: the body of a failure
 * report, the order an answer carries, a change of an order (its state by name → id), completing it.
 * Each takes the client's call; none reads or writes anything else.
 */

type Call = (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) => Promise<unknown>;
type RawOrder = Record<string, unknown>;

/** `POST ordenes-trabajo/reportar-falla/`: the CMMS takes the requester (and technician) from the token's user. */
export function reportFailureBody(input: ReportFailureInput): Record<string, unknown> {
  return {
    idequipo: input.idequipo,
    descripcionproblemareportado: input.descripcion,
    ...(input.prioridad ? { prioridad: input.prioridad } : {}),
    ...(input.observaciones ? { observacionesadicionales: input.observaciones } : {}),
  };
}

/**
 * The order an answer carries: the order itself, or some versions' `{message, orden}`. An answer
 * without an order's number is no order (a bad response).
 */
export function orderOfAnswer(body: unknown, what: string): RawOrder {
  const order = isRecord(body) && !('numeroot' in body) && isRecord(body.orden) ? body.orden : body;
  if (!isRecord(order) || String(order.numeroot ?? '').trim() === '') {
    throw badResponse(`CMMS answered ${what} with no order`);
  }
  return order;
}

/** `PATCH ordenes-trabajo/{id}/` with the fields of `change` (the state by its id); the order as it is now. */
export async function updateWorkOrder(
  call: Call,
  stateId: (name: string) => Promise<number>,
  id: number,
  change: WorkOrderChange,
): Promise<RawOrder> {
  const body: Record<string, unknown> = {};
  if (change.idtecnicoasignado !== undefined) body.idtecnicoasignado = change.idtecnicoasignado;
  if (change.estado !== undefined) body.idestadoot = await stateId(change.estado);
  return orderOfAnswer(await call('PATCH', cmmsRoutes.workOrder(id), body), 'the change of an order');
}

/** `POST ordenes-trabajo/{id}/completar/`; the answer is `{message, orden}` (or the order). */
export async function completeWorkOrder(call: Call, id: number, input: CompleteWorkOrderInput): Promise<RawOrder> {
  const body = { observacionesfinales: input.observacionesfinales, tiempototalminutos: input.tiempototalminutos };
  return orderOfAnswer(await call('POST', cmmsRoutes.completeWorkOrder(id), body), 'completar');
}
