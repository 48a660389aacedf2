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

/**
 * `completar_ot`, params `{ numeroot, idusuario, observaciones, minutos }`: the technician the order is
 * assigned to completes it (`POST ordenes-trabajo/{id}/completar/`). `minutos`: what this run
 * recorded, when it completed the order.
 */
export interface CompleteWorkOrderResult extends OrderChangeResult {
  minutos?: number;
}

const STATE = workflowConstants('completar_ot').state;

const isMinutes = (value: unknown) => value === undefined || (Number.isInteger(value) && (value as number) > 0);

/** Never completes an order twice: one found Completada is the outcome (see `alreadyDone`). */
export const completar_ot = defineWorkflow({
  id: 'completar_ot',
  async run(cmms, params, run): Promise<CompleteWorkOrderResult> {
    const numeroot = params.numeroot as string;
    const minutos = params.minutos as number;
    const order = await orderOrFail(cmms, numeroot, run);
    assignedOrFail(order, params.idusuario as number, run);
    if (isInState(order, STATE)) return { ...alreadyDone(order, run), ...(run.attempt > 1 ? { minutos } : {}) };
    openOrFail(order, run);
    const input = { observacionesfinales: params.observaciones as string, tiempototalminutos: minutos };
    const result = await writeOnce(
      cmms,
      run,
      numeroot,
      () => cmms.completeWorkOrder(order.idordentrabajo, input),
      (now) => isInState(now, STATE),
    );
    return { ...result, minutos };
  },
  isResult: (value): value is CompleteWorkOrderResult =>
    isOrderChange(value) && isMinutes((value as unknown as Record<string, unknown>).minutos),
  render: ({ order, changed, minutos }) => ({
    text: changed
      ? `Listo, completé la orden ${order.numeroot}${minutos === undefined ? '' : ` (${minutos} min)`}.`
      : `La orden ${order.numeroot} ya estaba completada; no la completé de nuevo.`,
  }),
});
