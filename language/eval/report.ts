import type { Evaluation } from './evaluate.ts';
import { confusionMatrix, confusions } from './intent-metrics.ts';
import { SLOT_NAMES } from './slot-metrics.ts';

/** The eval's printed report (scripts/eval-language.ts): figures as text. */

export const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

/** One line: intent accuracy and slot exact-match. */
export function summaryLine(name: string, evaluation: Evaluation): string {
  const { intentAccuracy, slots } = evaluation;
  return `${name.padEnd(44)} intent ${percent(intentAccuracy).padStart(6)}   slots ${percent(slots.exactMatch).padStart(6)} (with gold slots ${percent(slots.exactMatchWithSlots)})`;
}

/** Each slot's precision and recall. */
export function slotTable(evaluation: Evaluation): string {
  return SLOT_NAMES.map((name) => {
    const { precision, recall, support } = evaluation.slots.perSlot[name];
    return `  ${name.padEnd(12)} precision ${percent(precision).padStart(6)}  recall ${percent(recall).padStart(6)}  (gold ${support})`;
  }).join('\n');
}

/** The confusions (pairs sorted by count) and the compact matrix. */
export function confusionReport(evaluation: Evaluation, limit = 20): string {
  const pairs = confusions(evaluation.results);
  if (pairs.length === 0) return '  (no intent confusion)';
  const lines = pairs.slice(0, limit).map((c) => `  ${String(c.count).padStart(3)}  ${c.gold} → ${c.predicted}`);
  return [...lines, '', confusionMatrix(evaluation.results)].join('\n');
}

/** The utterances read wrong: the intent, or the slots (with the gold and predicted values). */
export function errorsReport(evaluation: Evaluation): string {
  const lines: string[] = [];
  for (const r of evaluation.results) {
    if (r.gold !== r.predicted) lines.push(`  intent  ${r.gold} → ${r.predicted}  | ${r.text}`);
    else if (r.slotErrors.length > 0) {
      const diff = r.slotErrors
        .map((name) => `${name}: ${JSON.stringify(r.goldSlots[name])} → ${JSON.stringify(r.predictedSlots[name])}`)
        .join('; ');
      lines.push(`  slots   ${r.text}  | ${diff}`);
    }
  }
  return lines.length > 0 ? lines.join('\n') : '  (none)';
}

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}
