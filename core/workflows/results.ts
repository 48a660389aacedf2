import type { DagId } from '../../workflows/catalog.ts';

/**
 * What each workflow returns in `WorkflowCallback.result` (the DAGs in `dags/` return the same
 * shapes). Field names are the CMMS API's own. The conversation machine renders them in Spanish.
 */

export interface WorkOrderSummary {
  idordentrabajo: number;
  numeroot: string;
  equipo_nombre: string | null;
  estado_nombre: string | null;
  tipo_mantenimiento_nombre: string | null;
  prioridad: string | null;
  tecnico_nombre: string | null;
  fechacreacionot: string | null;
  descripcionproblemareportado: string | null;
}

export interface EquipmentSummary {
  idequipo: number;
  codigointerno: string | null;
  nombreequipo: string;
  marca: string | null;
  modelo: string | null;
  estado_nombre: string | null;
  faena_nombre: string | null;
}

/** `consultar_estado_ot`, params `{ numeroot }`. */
export type WorkOrderStatusResult = { found: true; order: WorkOrderSummary } | { found: false; numeroot: string };

/** `reportar_falla`, params `{ idequipo, descripcion, prioridad }`. */
export interface ReportFailureResult {
  order: WorkOrderSummary;
}

/** `listar_equipos`, params `{}`. */
export interface ListEquipmentResult {
  total: number;
  equipment: EquipmentSummary[];
}

/** `listar_ot_pendientes`, params `{}`: orders not Completada/Cancelada, most urgent first. */
export interface PendingWorkOrdersResult {
  total: number;
  orders: WorkOrderSummary[];
}

/** Each workflow's result, by id (a catalog id without a result shape here is a type error). */
interface ResultShapes {
  consultar_estado_ot: WorkOrderStatusResult;
  reportar_falla: ReportFailureResult;
  listar_equipos: ListEquipmentResult;
  listar_ot_pendientes: PendingWorkOrdersResult;
}
export type WorkflowResults = { [K in DagId]: ResultShapes[K] };

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
