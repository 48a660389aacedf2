/**
 * The DAG notificar_cambios_ot and the gateway take CMMS texts and changes alike: the same tricky
 * strings made one line by dags/omnibot_common/notify_detect.py (`one_line`, with the tier's Python)
 * and by lib/plain-text.ts (`oneLine`); the same closing observations without the assistant's report
 * note (`closing_observations` / core/notify/observations.ts); the same changes detected from the same
 * CMMS orders by the DAG (`detect_changes`) and by the poller (core/notify/orders.ts, detect.ts); and the
 * same changes refused, for the same reason, by the DAG's check before sending (`change_problem`) and by
 * `POST /api/bot/notify` (core/notify/schema.ts). No Airflow needed: only its Python.
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { detectChanges } from '../../core/notify/detect.ts';
import { cleanNumber, numberProblem } from '../../core/notify/limits.ts';
import { closingObservations } from '../../core/notify/observations.ts';
import { watchedOrderOf } from '../../core/notify/orders.ts';
import { parseNotifyBody } from '../../core/notify/schema.ts';
import type { NotifyChange, WatchedOrder } from '../../core/notify/types.ts';
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
  wire({ priority: 'Crítica', equipment_code: 'CAT-002', description: 'Rotura de manguera' }),
  wire({ priority: 3 }),
  wire({ equipment_code: ['CAT-002'] }),
  wire({ description: { text: 'x' } }),
  Object.fromEntries(Object.entries(wire({})).filter(([key]) => key !== 'equipment')),
  Object.fromEntries(Object.entries(wire({})).filter(([key]) => key !== 'change_id')),
];

const NOTE = 'Reportado por Diego Fuentes vía el chat web. Reportada por el asistente omnibot (ref. 8d3ae89e4300be7c)';

const OBSERVATIONS = [
  NOTE,
  `${NOTE}.`,
  `${NOTE}.\nSe cambió la manguera.`,
  `Se cambió el sello. ${NOTE}.`,
  'Reportado por Ana vía WhatsApp',
  'Reportado por un usuario vía el asistente. Listo',
  'Reportado por X vía Telegram\r\nListo',
  'Reportado por X vía SMSes',
  'Reportado por el operador por radio, se cambió el sello',
  `Reportado por ${'n'.repeat(250)} vía SMS`,
  `Reportada por el asistente omnibot (ref. 8D3AE89E4300BE7C)`,
  `\u200b${NOTE}\u202e. ${'ok '.repeat(900)}`,
  '  ',
];

const order = (id: number, fields: Record<string, unknown>) => ({
  idordentrabajo: id,
  numeroot: `OT-${id}`,
  equipo_nombre: 'Excavadora CAT 336',
  estado_nombre: 'Abierta',
  idtecnicoasignado: null,
  tecnico_nombre: null,
  idsolicitante: 3,
  ...fields,
});

/** The CMMS at the baseline, and at the next look: every kind of change, with the texts a notice quotes. */
const BEFORE = [
  order(1, {}),
  order(2, { estado_nombre: 'En Progreso', idtecnicoasignado: 10, tecnico_nombre: 'Juan Pérez' }),
  order(3, { estado_nombre: 'En Progreso', idtecnicoasignado: 10, tecnico_nombre: 'Juan Pérez' }),
  order(5, { estado_nombre: 'Asignada', idtecnicoasignado: 10, tecnico_nombre: 'Juan Pérez' }),
  order(6, { estado_nombre: 'Asignada', idtecnicoasignado: 10, tecnico_nombre: 'Juan Pérez' }),
  order(7, { observacionesfinales: NOTE }),
  order(8, {}),
];
const AFTER = [
  order(1, {
    estado_nombre: 'Asignada',
    idtecnicoasignado: 10,
    tecnico_nombre: 'Juan Pérez',
    prioridad: 'Crítica',
    equipo_codigo: 'CAT-002',
    descripcionproblemareportado: `Rotura de manguera hidráulica\nen el brazo ${'y fuga '.repeat(30)}`,
  }),
  order(2, {
    estado_nombre: 'Completada',
    idtecnicoasignado: 10,
    tecnico_nombre: 'Juan Pérez',
    observacionesfinales: NOTE,
  }),
  order(3, {
    estado_nombre: 'Completada',
    idtecnicoasignado: 10,
    tecnico_nombre: 'Juan Pérez',
    observacionesfinales: `${NOTE}.\nSe cambió la manguera.`,
  }),
  // New since the baseline: reported by user 3, its technician too.
  order(4, {
    idtecnicoasignado: 3,
    tecnico_nombre: 'Diego Fuentes',
    descripcionproblemareportado: 'Fuga',
    prioridad: 'Alta',
  }),
  order(5, { estado_nombre: 'Asignada', idtecnicoasignado: '11', tecnico_nombre: 'María\u2028González\u202e' }),
  order(6, { estado_nombre: 'Abierta', idtecnicoasignado: null, tecnico_nombre: 'Juan Pérez' }),
  order(7, { observacionesfinales: 'otra nota' }),
  order(8, { estado_nombre: 'Cancelada', equipo_nombre: null, equipo_codigo: 'KOM-001', prioridad: 4 }),
];

/** A change as the DAG posts it: every field, null when absent. */
const wireOf = (c: NotifyChange) => ({
  change_id: c.changeId,
  order_id: c.orderId,
  number: c.number,
  equipment: c.equipment,
  state: c.state,
  previous_state: c.previousState ?? null,
  technician_id: c.technicianId ?? null,
  technician_name: c.technicianName ?? null,
  previous_technician_id: c.previousTechnicianId ?? null,
  previous_technician_name: c.previousTechnicianName ?? null,
  requester_id: c.requesterId ?? null,
  observations: c.observations ?? null,
  priority: c.priority ?? null,
  equipment_code: c.equipmentCode ?? null,
  description: c.description ?? null,
});

const BASELINE_AT = '2026-12-01T10:00:00.000Z';

/** What the poller finds between the two looks, posted as the DAG would post it. */
function pollerChanges() {
  const read = (orders: Record<string, unknown>[]) =>
    orders.map(watchedOrderOf).filter((o): o is WatchedOrder => o !== null);
  const at = Date.parse(BASELINE_AT);
  const baseline = detectChanges(read(BEFORE), { baseline: false, epoch: 0, orders: new Map(), pending: [] }, at);
  const seen = { baseline: true, epoch: baseline.epoch, orders: baseline.updates, pending: [] };
  return detectChanges(read(AFTER), seen, at + 60_000)
    .changes.filter((change) => numberProblem(change.number) === null)
    .map(wireOf);
}

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
from datetime import datetime, timedelta
from omnibot_common.notify_detect import LIMITS, change_problem, closing_observations, detect_changes, one_line
cases = json.load(sys.stdin)
texts = [one_line(text, limit) for text, limit in cases["texts"]]
observations = [closing_observations(text) for text in cases["observations"]]
at = datetime.fromisoformat(cases["baseline_at"].replace("Z", "+00:00"))
_, seen, _ = detect_changes(None, cases["before"], at)
detected, _, _ = detect_changes(seen, cases["after"], at + timedelta(minutes=1))
problems = []
for change in cases["changes"]:
    change = dict(change)
    if isinstance(change.get("number"), str):
        change["number"] = one_line(change["number"], LIMITS["number"] + 1)  # as the DAG reads a number
    problems.append(change_problem(change))
print(json.dumps({"texts": texts, "problems": problems, "observations": observations, "detected": detected}))
`;

describe('the DAG and the gateway on the same CMMS texts and changes', () => {
  let python: {
    texts: string[];
    problems: Array<string | null>;
    observations: Array<string | null>;
    detected: Array<Record<string, unknown>>;
  };

  beforeAll(async () => {
    const child = run(PYTHON, ['-c', SCRIPT], {
      cwd: REPO,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 1 << 20,
    });
    child.child.stdin?.end(
      JSON.stringify({
        texts: TEXTS,
        changes: CHANGES,
        observations: OBSERVATIONS,
        before: BEFORE,
        after: AFTER,
        baseline_at: BASELINE_AT,
      }),
    );
    python = JSON.parse((await child).stdout) as typeof python;
  }, 60_000);

  it('make every text the same single line', () => {
    expect(python.texts).toEqual(TEXTS.map(([text, limit]) => oneLine(text, limit)));
  });

  it('leave the same closing observations: never the assistant’s report note', () => {
    expect(python.observations).toEqual(OBSERVATIONS.map((text) => closingObservations(text) || null));
    expect(python.observations.slice(0, 2)).toEqual([null, null]);
    expect(python.observations[2]).toBe('Se cambió la manguera.');
  });

  it('find the same changes in the same CMMS orders', () => {
    const poller = pollerChanges();
    expect(python.detected).toEqual(poller);
    // The cases cover what the notices say: the details of an assignment, no note as observations.
    expect(poller.map((c) => c.order_id)).toEqual([1, 2, 3, 4, 5, 6, 8]);
    expect(poller[0]).toMatchObject({ priority: 'Crítica', equipment_code: 'CAT-002' });
    expect(poller[1]?.observations).toBeNull();
    expect(poller[2]?.observations).toBe('Se cambió la manguera.');
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
