import type { WatchedOrder } from './types.ts';

/**
 * A CMMS work order (as `ordenes-trabajo/` lists it) as the detector reads it; null for a record
 * that is no order (no positive integer id or no number): it is left out, never guessed.
 */
export function watchedOrderOf(raw: Record<string, unknown>): WatchedOrder | null {
  const id = positiveInteger(raw.idordentrabajo);
  const number = text(raw.numeroot);
  if (id === null || number === null) return null;
  const technicianId = positiveInteger(raw.idtecnicoasignado);
  return {
    id,
    number,
    equipment: text(raw.equipo_nombre) ?? text(raw.equipo_codigo) ?? `Equipo ${text(raw.idequipo) ?? id}`,
    state: text(raw.estado_nombre) ?? '',
    technicianId,
    // A name left without its technician id names nobody assigned (as the DAG reads it).
    technicianName: technicianId === null ? null : text(raw.tecnico_nombre),
    requesterId: positiveInteger(raw.idsolicitante),
    observations: text(raw.observacionesfinales),
  };
}

function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed ? trimmed : null;
}

function positiveInteger(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : null;
}
