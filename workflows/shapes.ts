import { isRecord } from '../lib/is-record.ts';
import type { EquipmentSummary, WorkOrderSummary } from './cmms.ts';

/** Shape checks of what a workflow returns (from either runner, through the callback). */

export { isRecord };

/** A work order: at least its `numeroot`, the one field every text about it shows. */
export const isWorkOrder = (value: unknown): value is WorkOrderSummary =>
  isRecord(value) && typeof value.numeroot === 'string' && value.numeroot.trim() !== '';

export const isEquipment = (value: unknown): value is EquipmentSummary =>
  isRecord(value) && typeof value.nombreequipo === 'string';

/** `{ total, <key>: items }` with `total` a count and every item of the shape. */
export function isCountedList<Item>(value: unknown, key: string, isItem: (item: unknown) => item is Item): boolean {
  if (!isRecord(value)) return false;
  const items = value[key];
  return Number.isInteger(value.total) && (value.total as number) >= 0 && Array.isArray(items) && items.every(isItem);
}
