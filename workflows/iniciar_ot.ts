import { workflowConstants } from './catalog.ts';
import {
  alreadyDone,
  assignedOrFail,
  isOrderChange,
  type OrderChangeResult,
  openOrFail,
  orderOrFail,
  writeOnce,
} from './order-actions.ts';
import { isInState } from './pending.ts';
import { defineWorkflow } from './workflow.ts';

/** `iniciar_ot`, params `{ numeroot, idusuario }`: the technician the order is assigned to starts it (En Progreso). */
export type StartWorkOrderResult = OrderChangeResult;

const STATE = workflowConstants('iniciar_ot').state;

export const iniciar_ot = defineWorkflow({
  id: 'iniciar_ot',
  async run(cmms, params, run): Promise<StartWorkOrderResult> {
    const numeroot = params.numeroot as string;
    const order = await orderOrFail(cmms, numeroot, run);
    assignedOrFail(order, params.idusuario as number, run);
    if (isInState(order, STATE)) return alreadyDone(order, run);
    openOrFail(order, run);
    return writeOnce(
      cmms,
      run,
      numeroot,
      () => cmms.updateWorkOrder(order.idordentrabajo, { estado: STATE }),
      (now) => isInState(now, STATE),
    );
  },
  isResult: isOrderChange,
  render: ({ order, changed }) => ({
    text: changed
      ? `Listo, la orden ${order.numeroot} quedó ${order.estado_nombre ?? STATE}.`
      : `La orden ${order.numeroot} ya estaba ${order.estado_nombre ?? STATE}; no cambié nada.`,
  }),
});
