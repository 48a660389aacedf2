/**
 * The CMMS as the workflows see it: the records their results carry (field names are the CMMS API's
 * own; the DAGs' `summaries.py` gives the same shapes) and the calls they make. `core/cmms/client.ts`
 * implements `WorkflowCmms`; the workflows know nothing else of core.
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

export interface ReportedFailureQuery {
  /** The run's marker. */
  marker?: string;
  /** The fallback needs all three: the report's equipment, its description and the run's start (ms). */
  idequipo?: number;
  descripcion?: string;
  since?: number;
}

/** A corrective order to create; `observaciones` is kept by the CMMS (as `observacionesfinales`). */
export interface ReportFailureInput {
  idequipo: number;
  descripcion: string;
  prioridad?: string;
  observaciones?: string;
}

/** The CMMS calls a workflow makes. */
export interface WorkflowCmms {
  findWorkOrder(numeroot: string): Promise<WorkOrderSummary | null>;
  listEquipment(): Promise<EquipmentSummary[]>;
  reportFailure(input: ReportFailureInput): Promise<WorkOrderSummary>;
  /** The order an earlier `reportFailure` of the same run created, or null. */
  findReportedFailure(query: ReportedFailureQuery): Promise<WorkOrderSummary | null>;
  /** Orders not Completada/Cancelada, most urgent first, then the oldest (as the DAG sorts them). */
  listPendingWorkOrders(): Promise<WorkOrderSummary[]>;
}
