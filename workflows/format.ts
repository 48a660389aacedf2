import type { EquipmentSummary, WorkOrderSummary } from './cmms.ts';

/** Spanish formatting the workflows' texts (and the conversation's) share. */

/** At most this many lines in a list the user reads. */
export const LIST_LIMIT = 15;

/** "CAT-001 — Excavadora (Operativo, Faena Norte)". */
export function equipmentLine(e: EquipmentSummary): string {
  const details = [e.estado_nombre, e.faena_nombre].filter(Boolean).join(', ');
  return `${e.codigointerno ? `${e.codigointerno} — ` : ''}${e.nombreequipo}${details ? ` (${details})` : ''}`;
}

/** "Tipo: Correctivo · Prioridad: Alta · Técnico: sin asignar". */
export function orderDetails(o: WorkOrderSummary): string {
  return [
    o.tipo_mantenimiento_nombre && `Tipo: ${o.tipo_mantenimiento_nombre}`,
    o.prioridad && `Prioridad: ${o.prioridad}`,
    `Técnico: ${o.tecnico_nombre ?? 'sin asignar'}`,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** "\n…y 3 más." when a list shows fewer lines than it has. */
export const more = (total: number, shown: number): string => (total > shown ? `\n…y ${total - shown} más.` : '');

/** "• OT-CORR-1 — Excavadora — Asignada — Alta": one order in a list. */
export const orderLine = (o: WorkOrderSummary): string =>
  `• ${o.numeroot} — ${o.equipo_nombre ?? 'sin equipo'} — ${o.estado_nombre ?? '?'} — ${o.prioridad ?? '?'}`;

/**
 * What a list of orders (most urgent first) leaves out, and where to see it: "\n…y 3 más, menos
 * urgentes; las ves todas en el sistema de mantenimiento." (`open`: "…y 3 abiertas más, …").
 */
export function moreOrders(total: number, shown: number, open = false): string {
  const n = total - shown;
  if (n <= 0) return '';
  const which = open ? (n === 1 ? ' abierta' : ' abiertas') : '';
  return `\n…y ${n}${which} más, ${n === 1 ? 'menos urgente' : 'menos urgentes'}; las ves todas en el sistema de mantenimiento.`;
}
