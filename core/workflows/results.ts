/**
 * The CMMS objects as the workflows' results carry them (the DAGs' `summaries.py` gives the same
 * shapes). Field names are the CMMS API's own. Each workflow's result type is in its own module,
 * `workflows/<dag_id>.ts` (`WorkflowResults` in `workflows/index.ts`).
 */

export type { CmmsUserSummary, EquipmentSummary, WorkOrderSummary } from '../../workflows/cmms.ts';

import { isRecord } from '../../lib/is-record.ts';
import type { CmmsUserSummary, EquipmentSummary, WorkOrderSummary } from '../../workflows/cmms.ts';

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
  'idsolicitante',
  'idtecnicoasignado',
  'solicitante_nombre',
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

/**
 * A user of `users/` (as `summarize_user` in summaries.py): the role from `usuarios.nombrerol`, else
 * `rol` (its `nombre`, or the text itself); the full name from the first and last names, else the
 * username.
 */
export function summarizeUser(raw: Record<string, unknown>): CmmsUserSummary {
  const username = String(raw.username ?? '');
  const fullName = [raw.first_name, raw.last_name]
    .map((part) => (typeof part === 'string' ? part.trim() : ''))
    .filter(Boolean)
    .join(' ');
  const profile = isRecord(raw.usuarios) ? raw.usuarios.nombrerol : undefined;
  const rol = isRecord(raw.rol) ? raw.rol.nombre : raw.rol;
  const role = [profile, rol].find((name) => typeof name === 'string' && name.trim() !== '') as string | undefined;
  return { id: Number(raw.id), username, fullName: fullName || username, role: role?.trim() ?? null };
}
