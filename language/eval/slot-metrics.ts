import { foldText } from '../../lib/fold-text.ts';
import type { GoldSlots } from '../classifier-corpus.ts';
import type { Slots } from '../types.ts';

/**
 * Slots compared as the contract says: equipment as the sorted catalog codes (none when the mention
 * matched no code), the description folded, without punctuation and without the connector words at its
 * edges, the other slots exactly.
 */

export const SLOT_NAMES = ['equipment', 'description', 'priority', 'workOrder', 'technician'] as const;
export type SlotName = (typeof SLOT_NAMES)[number];

const EDGE_WORDS = new Set(['el', 'la', 'los', 'las', 'un', 'una', 'de', 'del', 'en', 'y', 'que', 'con', 'a', 'al']);

/** A description as the eval compares it ("Tiene una fuga de aceite." → "tiene una fuga de aceite"). */
export function comparableDescription(description: string): string {
  const list = foldText(description)
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
  while (list.length > 0 && EDGE_WORDS.has(list[0]!)) list.shift();
  while (list.length > 0 && EDGE_WORDS.has(list.at(-1)!)) list.pop();
  return list.join(' ');
}

/** Each slot present as a comparable string (absent slots left out). */
function comparable(slots: GoldSlots): Partial<Record<SlotName, string>> {
  const out: Partial<Record<SlotName, string>> = {};
  if (slots.equipment && slots.equipment.length > 0) out.equipment = [...slots.equipment].sort().join(',');
  if (slots.description !== undefined) {
    const description = comparableDescription(slots.description);
    if (description) out.description = description;
  }
  if (slots.priority) out.priority = slots.priority;
  if (slots.workOrder) out.workOrder = slots.workOrder;
  if (slots.technician) out.technician = slots.technician;
  return out;
}

/** Extracted slots in the corpus's form (equipment as its codes). */
export function goldForm(slots: Slots): GoldSlots {
  const { equipment, ...rest } = slots;
  return equipment && equipment.codes.length > 0 ? { ...rest, equipment: [...equipment.codes].sort() } : rest;
}

/** The slot names on which prediction and gold differ (empty: an exact match). */
export function slotDifferences(predicted: GoldSlots, gold: GoldSlots): SlotName[] {
  const p = comparable(predicted);
  const g = comparable(gold);
  return SLOT_NAMES.filter((name) => p[name] !== g[name]);
}

export interface SlotScore {
  /** Utterances whose slots all match (none predicted where none is gold counts as a match). */
  exactMatch: number;
  /** The same over the utterances that have gold slots. */
  exactMatchWithSlots: number;
  perSlot: Record<SlotName, { precision: number; recall: number; support: number }>;
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

/** Exact match and each slot's precision and recall over prediction/gold pairs. */
export function scoreSlots(pairs: readonly { predicted: GoldSlots; gold: GoldSlots }[]): SlotScore {
  let exact = 0;
  let withSlots = 0;
  let exactWithSlots = 0;
  const counts = Object.fromEntries(SLOT_NAMES.map((name) => [name, { tp: 0, predicted: 0, gold: 0 }])) as Record<
    SlotName,
    { tp: number; predicted: number; gold: number }
  >;
  for (const { predicted, gold } of pairs) {
    const p = comparable(predicted);
    const g = comparable(gold);
    const match = SLOT_NAMES.every((name) => p[name] === g[name]);
    const hasGold = Object.keys(g).length > 0;
    if (match) exact += 1;
    if (hasGold) withSlots += 1;
    if (hasGold && match) exactWithSlots += 1;
    for (const name of SLOT_NAMES) {
      if (p[name] !== undefined) counts[name].predicted += 1;
      if (g[name] !== undefined) counts[name].gold += 1;
      if (p[name] !== undefined && p[name] === g[name]) counts[name].tp += 1;
    }
  }
  const perSlot = Object.fromEntries(
    SLOT_NAMES.map((name) => {
      const c = counts[name];
      return [name, { precision: ratio(c.tp, c.predicted), recall: ratio(c.tp, c.gold), support: c.gold }];
    }),
  ) as SlotScore['perSlot'];
  return { exactMatch: ratio(exact, pairs.length), exactMatchWithSlots: ratio(exactWithSlots, withSlots), perSlot };
}
