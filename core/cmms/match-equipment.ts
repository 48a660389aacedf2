import { foldText } from '../../lib/fold-text.ts';
import type { EquipmentSummary } from '../workflows/results.ts';

/**
 * The CMMS's own data matched against a query (codes and names, no language): an empty query is
 * every equipment; an exact internal code wins; else every word (2+ characters) must appear.
 */
export function matchEquipment(all: EquipmentSummary[], query: string): EquipmentSummary[] {
  const q = foldText(query);
  if (!q) return all;
  const exact = all.filter((e) => foldText(e.codigointerno ?? '') === q);
  if (exact.length) return exact;
  const words = q.split(' ').filter((w) => w.length >= 2);
  if (!words.length) return [];
  return all.filter((e) => {
    const haystack = foldText(`${e.codigointerno ?? ''} ${e.nombreequipo} ${e.marca ?? ''} ${e.modelo ?? ''}`);
    return words.every((w) => haystack.includes(w));
  });
}
