import { workflowConstants } from './catalog.ts';
import {
  alreadyDone,
  isOrderChange,
  isUser,
  type OrderChangeResult,
  openOrFail,
  orderOrFail,
  writeOnce,
} from './order-actions.ts';
import { isInState } from './pending.ts';
import { defineWorkflow } from './workflow.ts';

/** `asignar_ot`, params `{ numeroot, idtecnico }`: sets the order's technician and its state Asignada. */
export type AssignWorkOrderResult = OrderChangeResult;

const STATE = workflowConstants('asignar_ot').state;
/** The technician already on it, in one of these states: nothing to change (a started order stays started). */
const ASSIGNED_STATES = [STATE, workflowConstants('iniciar_ot').state];

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
    return writeOnce(
      cmms,
      run,
      numeroot,
      () => cmms.updateWorkOrder(order.idordentrabajo, { idtecnicoasignado: idtecnico, estado: STATE }),
      (now) => assigned(now) && isInState(now, STATE),
    );
  },
  isResult: isOrderChange,
  render: ({ order, changed }) => {
    const technician = order.tecnico_nombre ?? 'el técnico';
    return {
      text: changed
        ? `Listo, asigné la OT ${order.numeroot} a ${technician}; quedó ${order.estado_nombre ?? STATE}.`
        : `La OT ${order.numeroot} ya estaba asignada a ${technician} (${order.estado_nombre ?? STATE}); no cambié nada.`,
    };
  },
});
