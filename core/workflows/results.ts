/**
 * The CMMS objects as the workflows' results carry them (the DAGs' `summaries.py` gives the same
 * shapes). Field names are the CMMS API's own. Each workflow's result type is in its own module,
 * `workflows/<dag_id>.ts` (`WorkflowResults` in `workflows/index.ts`).
 */

export type { EquipmentSummary, WorkOrderSummary } from '../../workflows/cmms.ts';

import type { EquipmentSummary, WorkOrderSummary } from '../../workflows/cmms.ts';

const WORK_ORDER_FIELDS = [
  'idordentrabajo',
  'numeroot',
  'equipo_nombre',
  'estado_nombre',
  'tipo_mantenimiento_nombre',
  'prioridad',
  'tecnico_nombre',
  'fechacreacionot',
  'descripcionproblemareportado',
] as const;

export function summarizeWorkOrder(raw: Record<string, unknown>): WorkOrderSummary {
  const out: Record<string, unknown> = {};
  for (const key of WORK_ORDER_FIELDS) out[key] = raw[key] ?? null;
  return out as unknown as WorkOrderSummary;
}

export function summarizeEquipment(raw: Record<string, unknown>): EquipmentSummary {
  return {
    idequipo: Number(raw.idequipo),
    codigointerno: (raw.codigointerno as string | undefined) ?? null,
    nombreequipo: String(raw.nombreequipo ?? ''),
    marca: (raw.marca as string | undefined) ?? null,
    modelo: (raw.modelo as string | undefined) ?? null,
    estado_nombre: (raw.estado_nombre as string | undefined) ?? null,
    faena_nombre: (raw.faena_nombre as string | undefined) ?? null,
  };
}
