import { cleanNumber, cleanText, TEXT_LIMITS } from './limits.ts';
import { closingObservations } from './observations.ts';
import type { WatchedOrder } from './types.ts';

/**
 * A CMMS work order (as `ordenes-trabajo/` lists it, v1 or v2) as the detector reads it, its texts
 * cleaned and bounded as `POST /api/bot/notify` takes them (`limits.ts`), its observations the closing
 * ones only (`observations.ts`: never the assistant's report note); null for a record that is no order (no
 * positive integer id or no number): it is left out, never guessed. A number too long to be told is
 * kept as read: the poller records the order and tells nobody of it (as the DAG does).
 */
export function watchedOrderOf(raw: Record<string, unknown>): WatchedOrder | null {
  const id = positiveInteger(raw.idordentrabajo);
  const number = text(raw.numeroot, cleanNumber);
  if (id === null || number === null) return null;
  const technicianId = positiveInteger(raw.idtecnicoasignado);
  const bounded = (value: unknown, max: number) => text(value, (s) => cleanText(s, max));
  return {
    id,
    number,
    equipment:
      bounded(raw.equipo_nombre, TEXT_LIMITS.equipment) ??
      bounded(raw.equipo_codigo, TEXT_LIMITS.equipment) ??
      `Equipo ${bounded(raw.idequipo, 20) ?? id}`,
    // v2 lists give the equipment's code; v1 only its id.
    equipmentCode: bounded(raw.equipo_codigo, TEXT_LIMITS.equipmentCode),
    state: bounded(raw.estado_nombre, TEXT_LIMITS.state) ?? '',
    technicianId,
    // A name left without its technician id names nobody assigned (as the DAG reads it).
    technicianName: technicianId === null ? null : bounded(raw.tecnico_nombre, TEXT_LIMITS.name),
    requesterId: positiveInteger(raw.idsolicitante),
    observations: text(raw.observacionesfinales, closingObservations),
    priority: bounded(raw.prioridad, TEXT_LIMITS.priority),
    description: bounded(raw.descripcionproblemareportado, TEXT_LIMITS.description),
  };
}

/** A string (a number as its digits), cleaned; null when nothing is left. */
function text(value: unknown, clean: (text: string) => string): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return clean(String(value)) || null;
  if (typeof value !== 'string') return null;
  return clean(value) || null;
}

function positiveInteger(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}
