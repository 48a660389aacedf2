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
  /** The CMMS user who requested it (a failure report: the token's user). */
  idsolicitante: number | null;
  /** The CMMS user it is assigned to. */
  idtecnicoasignado: number | null;
  solicitante_nombre: string | null;
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

/** A CMMS user as `users/` lists it (supervisors and admins may read it). */
export interface CmmsUserSummary {
  id: number;
  username: string;
  /** `first_name last_name`, else the username. */
  fullName: string;
  /** The role's name (`Técnico`, …); null when the user has none. */
  role: string | null;
}

/** What a change of an order sets (PATCH `ordenes-trabajo/{id}/`); the state by its name. */
export interface WorkOrderChange {
  /** A state of `estados-orden-trabajo/` by name (`Asignada`, `En Progreso`): the client finds its id. */
  estado?: string;
  idtecnicoasignado?: number;
}

/** `POST ordenes-trabajo/{id}/completar/`. */
export interface CompleteWorkOrderInput {
  observacionesfinales: string;
  tiempototalminutos: number;
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
  /** Every order (open and closed), as the CMMS lists them. */
  listWorkOrders(): Promise<WorkOrderSummary[]>;
  /** PATCH of an order; answers the order as it is now. */
  updateWorkOrder(idordentrabajo: number, change: WorkOrderChange): Promise<WorkOrderSummary>;
  /** Completes an order; answers the order as it is now. */
  completeWorkOrder(idordentrabajo: number, input: CompleteWorkOrderInput): Promise<WorkOrderSummary>;
  /** The CMMS users (`users/`: supervisors and admins only; others get a 403). */
  listUsers(): Promise<CmmsUserSummary[]>;
}
