import { percentile } from './report.ts';

/** A classifier's cost per message: its 50th and 99th percentiles in milliseconds, after a warm-up pass. */
export function timeClassification(classify: (text: string) => unknown, texts: readonly string[], rounds = 20) {
  for (const text of texts) classify(text);
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const text of texts) {
      const start = performance.now();
      classify(text);
      times.push(performance.now() - start);
    }
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}
