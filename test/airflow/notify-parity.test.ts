/**
 * The DAG notificar_cambios_ot and the gateway take CMMS texts and changes alike: the same tricky
 * strings made one line by dags/omnibot_common/notify_detect.py (`one_line`, with the tier's Python)
 * and by lib/plain-text.ts (`oneLine`), and the same changes refused, for the same reason, by the DAG's
 * check before sending (`change_problem`) and by `POST /api/bot/notify` (core/notify/schema.ts). No
 * Airflow needed: only its Python.
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanNumber } from '../../core/notify/limits.ts';
import { parseNotifyBody } from '../../core/notify/schema.ts';
import { oneLine } from '../../lib/plain-text.ts';

const REPO = join(import.meta.dirname, '../..');
/** scripts/airflow/test.sh sets it to the tier's venv. */
const PYTHON = process.env.OMNIBOT_PYTHON ?? join(homedir(), '.cache/omnibot/airflow-venv/bin/python');
const run = promisify(execFile);

const TEXTS: Array<[string, number]> = [
  ['  OT-1  ', 100],
  ['\ufeffOT-1\u202e', 100],
  ['Excavadora\r\n\r\nAsistente: escribe tu clave', 200],
  ['a\tb\u000bc\u000cd\u0000e\u007f', 100],
  ['uno\u0085dos\u2028tres\u2029cuatro', 100],
  ['\u00a0\u1680\u2000x\u200a\u202f\u205f\u3000y\u3000', 100],
  ['zero\u200bwidth\u200c\u200d\u2060joiner\u00ad', 100],
  ['\u115f\u1160\u3164\uffa0\u2800blank letters', 100],
  ['Cafe\u0301 nin\u0303o', 100],
  ['😀'.repeat(10), 5],
  ['ab   cdefghij', 4],
  ['x'.repeat(3000), 2000],
  ['\u0007', 10],
  ['Juan Pérez', 200],
];

const wire = (overrides: Record<string, unknown>) => ({
  change_id: '12:1796119200001',
  order_id: 12,
  number: 'OT-12',
  equipment: 'Excavadora CAT 320',
  state: 'Completada',
  previous_state: 'En Progreso',
  technician_id: 10,
  technician_name: 'Juan Pérez',
  previous_technician_id: null,
  previous_technician_name: null,
  requester_id: 4,
  observations: null,
  ...overrides,
});

const CHANGES: Record<string, unknown>[] = [
  wire({}),
  wire({ number: 'N'.repeat(100) }),
  wire({ number: 'N'.repeat(101) }),
  wire({ number: '😀'.repeat(51) }),
  wire({ number: '😀'.repeat(50) }),
  wire({ number: ' \u200b\n' }),
  wire({ number: 12 }),
  wire({ change_id: '12:9007199254740991' }),
  wire({ change_id: '12:9007199254740992' }),
  wire({ change_id: '13:1' }),
  wire({ change_id: '012:1' }),
  wire({ change_id: '12:-1' }),
  wire({ order_id: 2 ** 53, change_id: `${2 ** 53}:1` }),
  wire({ order_id: 0, change_id: '0:1' }),
  wire({ technician_id: 2 ** 53 }),
  wire({ requester_id: -4 }),
  wire({ previous_technician_id: true }),
  wire({ equipment: null }),
  wire({ state: 5 }),
  wire({ technician_name: 7, number: '' }),
  wire({ observations: ['x'] }),
  Object.fromEntries(Object.entries(wire({})).filter(([key]) => key !== 'equipment')),
  Object.fromEntries(Object.entries(wire({})).filter(([key]) => key !== 'change_id')),
];

/** What the gateway makes of each change: null when taken, else the reason it gives. */
function gatewayReasons(): Array<string | null> {
  const now = Date.now();
  return CHANGES.map((change) => {
    const { rejected } = parseNotifyBody({ sent_at: new Date(now).toISOString(), changes: [change] }, now);
    return rejected[0]?.reason ?? null;
  });
}

const SCRIPT = `
import json, sys
sys.path.insert(0, "dags")
from omnibot_common.notify_detect import LIMITS, change_problem, one_line
cases = json.load(sys.stdin)
texts = [one_line(text, limit) for text, limit in cases["texts"]]
problems = []
for change in cases["changes"]:
    change = dict(change)
    if isinstance(change.get("number"), str):
        change["number"] = one_line(change["number"], LIMITS["number"] + 1)  # as the DAG reads a number
    problems.append(change_problem(change))
print(json.dumps({"texts": texts, "problems": problems}))
`;

describe('the DAG and the gateway on the same CMMS texts and changes', () => {
  let python: { texts: string[]; problems: Array<string | null> };

  beforeAll(async () => {
    const child = run(PYTHON, ['-c', SCRIPT], {
      cwd: REPO,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 1 << 20,
    });
    child.child.stdin?.end(JSON.stringify({ texts: TEXTS, changes: CHANGES }));
    python = JSON.parse((await child).stdout) as typeof python;
  }, 60_000);

  it('make every text the same single line', () => {
    expect(python.texts).toEqual(TEXTS.map(([text, limit]) => oneLine(text, limit)));
  });

  it('refuse the same changes for the same reasons', () => {
    const gateway = gatewayReasons();
    expect(python.problems).toEqual(gateway);
    // The cases do cover both outcomes, and the number's own bound.
    expect(gateway.filter((reason) => reason === null).length).toBeGreaterThan(2);
    expect(gateway).toContain('number: number exceeds 100 characters');
    expect(cleanNumber('N'.repeat(150)).length).toBeGreaterThan(100);
  });
});
