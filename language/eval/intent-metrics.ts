/** Intent accuracy and the confusion between intents over (gold, predicted) pairs. */

export interface IntentPair {
  gold: string;
  predicted: string;
}

export function intentAccuracy(pairs: readonly IntentPair[]): number {
  if (pairs.length === 0) return 1;
  return pairs.filter(({ gold, predicted }) => gold === predicted).length / pairs.length;
}

export interface Confusion {
  gold: string;
  predicted: string;
  count: number;
}

/** The off-diagonal pairs (gold read as another intent), most frequent first. */
export function confusions(pairs: readonly IntentPair[]): Confusion[] {
  const counts = new Map<string, Confusion>();
  for (const { gold, predicted } of pairs) {
    if (gold === predicted) continue;
    const key = `${gold}\u0000${predicted}`;
    const entry = counts.get(key) ?? { gold, predicted, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].sort(
    (a, b) => b.count - a.count || a.gold.localeCompare(b.gold) || a.predicted.localeCompare(b.predicted),
  );
}

/** Each intent's precision, recall and support (how many gold examples). */
export function perIntent(
  pairs: readonly IntentPair[],
): Map<string, { precision: number; recall: number; support: number }> {
  const intents = [...new Set(pairs.flatMap(({ gold, predicted }) => [gold, predicted]))].sort();
  const result = new Map<string, { precision: number; recall: number; support: number }>();
  for (const intent of intents) {
    const tp = pairs.filter((p) => p.gold === intent && p.predicted === intent).length;
    const predicted = pairs.filter((p) => p.predicted === intent).length;
    const support = pairs.filter((p) => p.gold === intent).length;
    result.set(intent, {
      precision: predicted === 0 ? 1 : tp / predicted,
      recall: support === 0 ? 1 : tp / support,
      support,
    });
  }
  return result;
}

/**
 * A compact confusion matrix as text: one row per gold intent that has errors, the columns the intents
 * predicted for them (abbreviated), the diagonal included for scale.
 */
export function confusionMatrix(pairs: readonly IntentPair[]): string {
  const wrong = confusions(pairs);
  if (wrong.length === 0) return '(no confusion)';
  const rows = [...new Set(wrong.map((c) => c.gold))].sort();
  const columns = [...new Set([...rows, ...wrong.map((c) => c.predicted)])].sort();
  const short = (intent: string) => intent.slice(0, 8);
  const count = (gold: string, predicted: string) =>
    pairs.filter((p) => p.gold === gold && p.predicted === predicted).length;
  const width = Math.max(16, ...rows.map((r) => r.length));
  const header = `${'gold \\ predicted'.padEnd(width)} ${columns.map((c) => short(c).padStart(8)).join(' ')}`;
  const lines = rows.map(
    (gold) =>
      `${gold.padEnd(width)} ${columns
        .map((c) => {
          const n = count(gold, c);
          return (n === 0 ? '.' : String(n)).padStart(8);
        })
        .join(' ')}`,
  );
  return [header, ...lines].join('\n');
}
