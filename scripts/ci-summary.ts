import { readFileSync } from 'node:fs';

/**
 * Sums the tiers' results into one closing line, `total: N passed, N failed`: vitest JSON reports
 * (the cluster tier's is artifacts/vitest-cluster.json), and logs whose last `N passed, N failed` line
 * is a tier's own total (the Airflow tier, whose vitest report is not kept in artifacts/).
 */
interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults?: { status: string; assertionResults: { status: string }[] }[];
}

let passed = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  let counts: { passed: number; failed: number };
  if (file.endsWith('.json')) {
    const report = JSON.parse(readFileSync(file, 'utf8')) as VitestReport;
    // A file that failed outside its tests (a hook, an import) counts as one failure.
    const fileErrors = (report.testResults ?? []).filter(
      (result) => result.status === 'failed' && !result.assertionResults.some((test) => test.status === 'failed'),
    ).length;
    counts = { passed: report.numPassedTests, failed: report.numFailedTests + fileErrors };
  } else {
    const lines = readFileSync(file, 'utf8').split('\n');
    const last = lines.reverse().find((line) => /^(\w+: )?\d+ passed, \d+ failed$/.test(line.trim()));
    const match = last ? /(\d+) passed, (\d+) failed/.exec(last) : null;
    counts = match ? { passed: Number(match[1]), failed: Number(match[2]) } : { passed: 0, failed: 1 };
  }
  console.log(`${file}: ${counts.passed} passed, ${counts.failed} failed`);
  passed += counts.passed;
  failed += counts.failed;
}
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
