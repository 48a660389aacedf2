import { asignar_ot } from './asignar_ot.ts';
import type { DagId } from './catalog.ts';
import { completar_ot } from './completar_ot.ts';
import { consultar_estado_ot } from './consultar_estado_ot.ts';
import { iniciar_ot } from './iniciar_ot.ts';
import { listar_equipos } from './listar_equipos.ts';
import { listar_mis_ot } from './listar_mis_ot.ts';
import { listar_ot_pendientes } from './listar_ot_pendientes.ts';
import { listar_ot_sin_asignar } from './listar_ot_sin_asignar.ts';
import { reportar_falla } from './reportar_falla.ts';
import type { WorkflowModule } from './workflow.ts';

/**
 * Every workflow's TypeScript module, by catalog id. A catalog id without a module, a module under
 * another id, or an id that is not in `catalog.json` is a type error.
 */
export const workflowModules = {
  consultar_estado_ot,
  reportar_falla,
  listar_equipos,
  listar_ot_pendientes,
  listar_mis_ot,
  listar_ot_sin_asignar,
  iniciar_ot,
  completar_ot,
  asignar_ot,
} as const satisfies { readonly [K in DagId]: WorkflowModule<K, unknown> };

/** Each workflow's result, by id. */
export type WorkflowResults = {
  [K in DagId]: Awaited<ReturnType<(typeof workflowModules)[K]['run']>>;
};

/** A workflow's module, typed loosely for a caller that holds a `dag_id` read at run time. */
export function workflowModule(id: DagId): WorkflowModule<DagId, unknown> {
  return workflowModules[id] as WorkflowModule<DagId, unknown>;
}

export type { AssignWorkOrderResult } from './asignar_ot.ts';
export type { CompleteWorkOrderResult } from './completar_ot.ts';
export type { WorkOrderStatusResult } from './consultar_estado_ot.ts';
export type { StartWorkOrderResult } from './iniciar_ot.ts';
export type { ListEquipmentResult } from './listar_equipos.ts';
export type { MyOrdersFilter, MyWorkOrdersResult } from './listar_mis_ot.ts';
export type { PendingWorkOrdersResult } from './listar_ot_pendientes.ts';
export type { UnassignedWorkOrdersResult } from './listar_ot_sin_asignar.ts';
export type { OrderChangeResult } from './order-actions.ts';
export type { ReportFailureResult } from './reportar_falla.ts';
export type { RunContext, WorkflowModule } from './workflow.ts';
