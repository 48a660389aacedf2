import type { WorkOrderSummary } from './cmms.ts';
import { orderDetails } from './format.ts';
import { isRecord, isWorkOrder } from './shapes.ts';
import { defineWorkflow } from './workflow.ts';

/** `consultar_estado_ot`, params `{ numeroot }`: the status of a work order found by its number. */
export type WorkOrderStatusResult = { found: true; order: WorkOrderSummary } | { found: false; numeroot: string };

export const consultar_estado_ot = defineWorkflow({
  id: 'consultar_estado_ot',
  async run(cmms, params): Promise<WorkOrderStatusResult> {
    const numeroot = String(params.numeroot);
    const order = await cmms.findWorkOrder(numeroot);
    return order ? { found: true, order } : { found: false, numeroot };
  },
  isResult: (value): value is WorkOrderStatusResult =>
    isRecord(value) &&
    (value.found === true
      ? isWorkOrder(value.order)
      : value.found === false && typeof value.numeroot === 'string' && value.numeroot !== ''),
  render(r) {
    if (!r.found) {
      return { text: `No encontré la orden de trabajo ${r.numeroot}. Revisa el número (por ejemplo OT-CORR-1).` };
    }
    const o = r.order;
    return {
      text: `La orden de trabajo ${o.numeroot} para el equipo ${o.equipo_nombre ?? 'sin equipo'} se encuentra en estado: ${o.estado_nombre ?? 'desconocido'}.\n${orderDetails(o)}`,
    };
  },
});
