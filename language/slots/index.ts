import { readText } from '../text.ts';
import type { CatalogEquipment, Slots } from '../types.ts';
import { descriptionOf } from './description.ts';
import { equipmentMatch } from './equipment.ts';
import { orderMatch } from './order-number.ts';
import { priorityMatches } from './priority.ts';
import { readsAsReport } from './symptom.ts';

/**
 * The slots a technician's message fills, read in one pass: the equipment (catalog codes), the
 * symptom, the priority and a work-order number. Pure, synchronous and deterministic; the catalog's
 * look-up tables are built once per catalog array. The technician of an assignment is not read here.
 * A description comes with a report only (symptom words, or equipment or a priority without a
 * question; no order number); `findDescription` reads one from any text (an answer to "¿Qué falla
 * presenta?").
 */

export { findDescription } from './description.ts';
export { normalizeDictation } from './dictation.ts';
export { findEquipment } from './equipment.ts';
export { findWorkOrder } from './order-number.ts';
export { findPriority } from './priority.ts';

/** Every slot the message says; a slot it does not say is absent. */
export function extractSlots(text: string, catalog: readonly CatalogEquipment[] | null): Slots {
  const read = readText(text);
  const order = orderMatch(read);
  const equipment = equipmentMatch(read, catalog, order);
  const priorities = priorityMatches(read);
  const slots: Slots = {};
  if (equipment) slots.equipment = equipment.mention;
  // Only a report has a description: "ver mis OT" and "estado de la CAT-001" are none, "la grúa no levanta" is.
  const reports = !order && readsAsReport(read.folded, equipment !== undefined || priorities.length > 0);
  const description = reports ? descriptionOf(read, { equipment, priorities, order }) : undefined;
  if (description) slots.description = description;
  if (priorities[0]) slots.priority = priorities[0].priority;
  if (order) slots.workOrder = order.workOrder;
  return slots;
}
