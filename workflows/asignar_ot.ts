import { workflowConstants } from './catalog.ts';
import type { WorkOrderSummary } from './cmms.ts';
import {
  alreadyDone,
  isOrderChange,
  isUser,
  type OrderChangeResult,
  openOrFail,
  orderOrFail,
  writeOnce,
} from './order-actions.ts';
import { isInState, isUnassigned } from './pending.ts';
import { isRecord } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/** Who had the order before it was given to another technician, and in which state. */
export interface PreviousAssignment {
  idtecnicoasignado: number | null;
  tecnico_nombre: string | null;
  estado_nombre: string | null;
}

/**
 * `asignar_ot`, params `{ numeroot, idtecnico }`: sets the order's technician and its state Asignada
 * (one another technician had started goes back to Asignada: the new one has not started it).
 * `previous`: the technician it had, when another one, and the state it was in.
 */
export interface AssignWorkOrderResult extends OrderChangeResult {
  previous?: PreviousAssignment;
}

const STATE = workflowConstants('asignar_ot').state;
/** The technician already on it, in one of these states: nothing to change (a started order stays started). */
const ASSIGNED_STATES = [STATE, workflowConstants('iniciar_ot').state];

/**
 * The technician the order had and its state, when it was assigned (not just reported: see
 * `isUnassigned`) to someone other than `idtecnico` (as `previous_of` in the DAG).
 */
function previousOf(order: WorkOrderSummary, idtecnico: number): { previous?: PreviousAssignment } {
  if (isUnassigned(order) || isUser(order.idtecnicoasignado, idtecnico)) return {};
  const { idtecnicoasignado, tecnico_nombre, estado_nombre } = order;
  return {
    previous: { idtecnicoasignado, tecnico_nombre: tecnico_nombre ?? null, estado_nombre: estado_nombre ?? null },
  };
}

const isText = (value: unknown) => value === null || typeof value === 'string';
const isPrevious = (value: unknown) =>
  value === undefined || (isRecord(value) && isText(value.tecnico_nombre) && isText(value.estado_nombre));

/** "Antes estaba asignada a Juan Pérez (En Progreso)." after a reassignment. */
function before(previous: PreviousAssignment | undefined): string {
  if (!previous) return '';
  const state = previous.estado_nombre ? ` (${previous.estado_nombre})` : '';
  return ` Antes estaba asignada a ${previous.tecnico_nombre ?? 'otro técnico'}${state}.`;
}

export const asignar_ot = defineWorkflow({
  id: 'asignar_ot',
  async run(cmms, params, run): Promise<AssignWorkOrderResult> {
    const numeroot = params.numeroot as string;
    const idtecnico = params.idtecnico as number;
    const order = await orderOrFail(cmms, numeroot, run);
    openOrFail(order, run);
    const assigned = (o: typeof order) => isUser(o.idtecnicoasignado, idtecnico);
    if (assigned(order) && ASSIGNED_STATES.some((state) => isInState(order, state))) {
      return isInState(order, STATE) ? alreadyDone(order, run) : { order, changed: false };
    }
    const result = await writeOnce(
      cmms,
      run,
      numeroot,
      () => cmms.updateWorkOrder(order.idordentrabajo, { idtecnicoasignado: idtecnico, estado: STATE }),
      (now) => assigned(now) && isInState(now, STATE),
    );
    return { ...result, ...previousOf(order, idtecnico) };
  },
  isResult: (value): value is AssignWorkOrderResult =>
    isOrderChange(value) && isPrevious((value as unknown as Record<string, unknown>).previous),
  render: ({ order, changed, previous }) => {
    const technician = order.tecnico_nombre ?? 'el técnico';
    return {
      text: changed
        ? `Listo, asigné la orden ${order.numeroot} a ${technician}; quedó ${order.estado_nombre ?? STATE}.${before(previous)}`
        : `La orden ${order.numeroot} ya estaba asignada a ${technician} (${order.estado_nombre ?? STATE}); no cambié nada.`,
    };
  },
});
