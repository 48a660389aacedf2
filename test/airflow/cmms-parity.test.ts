/**
 * The DAGs' half of the CMMS parity test (test/support/cmms-parity.ts): every case through
 * dags/omnibot_common/cmms.py (by test/airflow/cmms_parity.py, with the tier's Python, which has
 * `requests`) ends with the code the case expects — the same the in-process client must give
 * (test/workflows/cmms-parity.test.ts, in `npm test`).
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES, expectedOutcome, type Outcome, startParityCmms } from '../support/cmms-parity.ts';

const REPO = join(import.meta.dirname, '../..');
/** scripts/airflow/test.sh sets it to the tier's venv. */
const PYTHON = process.env.OMNIBOT_PYTHON ?? join(homedir(), '.cache/omnibot/airflow-venv/bin/python');
const run = promisify(execFile);

describe("the DAGs' CMMS client on the parity cases", () => {
  let cmms: Awaited<ReturnType<typeof startParityCmms>>;
  let outcomes: Outcome[] = [];

  beforeAll(async () => {
    cmms = await startParityCmms();
    const { stdout } = await run(PYTHON, ['test/airflow/cmms_parity.py', cmms.base], {
      cwd: REPO,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 1 << 20,
    });
    outcomes = JSON.parse(stdout) as Outcome[];
  }, 120_000);

  afterAll(() => cmms?.close());

  it('answers every case', () => {
    expect(outcomes).toHaveLength(CASES.length);
  });

  it.each(CASES.map((parityCase, index) => ({ ...parityCase, index })))(
    '$name: $expect',
    ({ index, ...parityCase }) => {
      expect(outcomes[index]).toEqual(expectedOutcome(parityCase));
    },
  );
});
