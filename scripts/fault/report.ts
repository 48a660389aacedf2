import type { CaseResult } from './common.ts';

const show = (n: number) => (Number.isNaN(n) ? 'n/a' : String(n));

/** The summary table (lost, duplicated, hung per case), then each case's other figures and notes. */
export function printTable(results: CaseResult[]): void {
  const rows = results.map((r) => [r.id, r.title, show(r.lost), show(r.duplicated), show(r.hung), r.headline]);
  const header = ['case', 'fault', 'lost', 'duplicated', 'hung', 'in short'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  console.log('');
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 2 && i <= 4 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const row of rows) console.log(line(row));
  console.log('');
  for (const r of results) {
    console.log(`${r.id}) ${r.title}`);
    for (const [name, value] of Object.entries(r.figures)) console.log(`   ${name}: ${value}`);
    for (const note of r.notes) console.log(`   · ${note}`);
  }
  console.log('');
}
