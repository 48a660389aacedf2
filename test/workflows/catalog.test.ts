/**
 * The workflow catalog holds together: every workflow has its TypeScript module (in-process run,
 * result shape, renderer) and its DAG file (its Python function), and the Python DAGs read the same
 * ids, parameters and error codes as TypeScript, so both runners word every error the same way.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRIORITIES } from '../../core/cmms/demo-guard.ts';
import { priorityRank } from '../../core/cmms/pending.ts';
import { workflows } from '../../core/workflows/definitions.ts';
import { parsePriority } from '../../machines/answers.ts';
import { renderWorkflowError } from '../../machines/replies.ts';
import catalogJson from '../../workflows/catalog.json' with { type: 'json' };
import {
  CMMS_PRIORITIES,
  type CmmsFailure,
  cmmsErrorCode,
  DAG_IDS,
  type DagId,
  isErrorCode,
  missingParameters,
  requiresUser,
  workflowEntry,
} from '../../workflows/catalog.ts';
import { workflowModules } from '../../workflows/index.ts';
import { defineWorkflow, type WorkflowModule } from '../../workflows/workflow.ts';

const REPO = join(import.meta.dirname, '../..');
const DAGS = join(REPO, 'dags');
const WORKFLOWS = join(REPO, 'workflows');
const sorted = (ids: Iterable<string>) => [...ids].sort();
/** DAG files that are no conversation workflow (scheduled, no catalog entry, no module). */
const SCHEDULED_DAGS = ['notificar_cambios_ot'];

/** The CMMS failures both runners must name alike. */
const FAILURES: { name: string; failure: CmmsFailure }[] = [
  { name: 'no answer', failure: {} },
  { name: 'a body that is not JSON', failure: { badResponse: true } },
  ...[400, 401, 403, 404, 409, 422, 429, 500, 502, 503].map((status) => ({ name: `${status}`, failure: { status } })),
  ...[400, 401, 403, 404, 503].map((status) => ({ name: `${status} as a user`, failure: { status, asUser: true } })),
  { name: 'no answer as a user', failure: { asUser: true } },
];

/** Runs `dags/omnibot_common/catalog.py` (plain Python, no Airflow) and returns what it printed as JSON. */
function python(script: string): unknown {
  const out = execFileSync('python3', ['-c', `import json\nfrom omnibot_common import catalog\n${script}`], {
    cwd: DAGS,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('the workflow catalog', () => {
  it('has a DAG file holding its function for every workflow, and no DAG file outside it but the scheduled ones', () => {
    const dagFiles = readdirSync(DAGS).filter((f) => f.endsWith('.py'));
    expect(sorted(dagFiles.map((f) => f.replace(/\.py$/, '')))).toEqual(sorted([...DAG_IDS, ...SCHEDULED_DAGS]));
    for (const id of SCHEDULED_DAGS) expect(DAG_IDS).not.toContain(id);
    for (const id of DAG_IDS) {
      const source = readFileSync(join(DAGS, `${id}.py`), 'utf8');
      expect(source).toMatch(
        new RegExp(`^def ${id}\\(client: CmmsClient, params: dict, run: RunInfo \\| None = None\\) -> dict:`, 'm'),
      );
      expect(source).toContain(`build_workflow_dag("${id}", ${id})`);
      // Airflow's safe mode parses only the files that name both words.
      expect(source.toLowerCase()).toMatch(/airflow[\s\S]*dag|dag[\s\S]*airflow/);
    }
    expect(readFileSync(join(DAGS, 'omnibot_common/workflows.py'), 'utf8')).not.toMatch(/WORKFLOWS|^def /m);
  });

  it('has a TypeScript module for every workflow (workflows/<dag_id>.ts), and none more', () => {
    const modules = readdirSync(WORKFLOWS).filter((f) => /^[a-z]+(_[a-z]+)+\.ts$/.test(f));
    expect(sorted(modules.map((f) => f.replace(/\.ts$/, '')))).toEqual(sorted(DAG_IDS));
    for (const id of DAG_IDS) expect(workflowModules[id].id).toBe(id);
    expect(sorted(Object.keys(workflowModules))).toEqual(sorted(DAG_IDS));
    expect(sorted(Object.keys(workflows))).toEqual(sorted(DAG_IDS));
    expect(sorted(Object.keys(workflowModules))).toEqual(sorted(DAG_IDS));
  });

  it('gives every workflow a processing text and a failed action in Spanish', () => {
    for (const id of DAG_IDS) {
      const entry = workflowEntry(id);
      expect(entry.processing).toMatch(/^Procesando: /);
      expect(entry.failedAction).not.toBe('');
      for (const name of entry.processing.match(/\{(\w+)\}/g) ?? []) {
        expect(entry.parameters.map((p) => `{${p.name}}`)).toContain(name);
      }
    }
  });

  it('lists the CMMS priorities the demo CMMS accepts and the conversation offers, 1 to 4', () => {
    expect(CMMS_PRIORITIES).toEqual([...PRIORITIES]);
    for (const [i, name] of CMMS_PRIORITIES.entries()) expect(parsePriority(String(i + 1))).toBe(name);
    expect(CMMS_PRIORITIES.map((name) => [name, priorityRank(name)])).toEqual([
      ['Baja', 3],
      ['Media', 2],
      ['Alta', 1],
      ['Crítica', 0],
    ]);
  });

  it('is read by the Python DAGs: the same ids, required parameters and user-only workflows', () => {
    const fromPython = python(
      'print(json.dumps({"ids": catalog.dag_ids(), "missing": {i: catalog.missing_parameters(i, {}) for i in catalog.dag_ids()}, "user": [i for i in catalog.dag_ids() if catalog.requires_user(i)]}))',
    );
    expect(fromPython).toEqual({
      ids: DAG_IDS,
      missing: Object.fromEntries(DAG_IDS.map((id) => [id, missingParameters(id, {})])),
      user: DAG_IDS.filter(requiresUser),
    });
  });

  it("marks the workflows that act on a user's own orders as user-only (never the service account)", () => {
    expect(DAG_IDS.filter(requiresUser).sort()).toEqual(
      ['asignar_ot', 'completar_ot', 'iniciar_ot', 'listar_mis_ot', 'listar_ot_sin_asignar'].sort(),
    );
  });

  it('names every CMMS failure with the same code, so the same Spanish text, in both runners', () => {
    const asPython = FAILURES.map(({ failure }) => [
      failure.status ?? null,
      failure.badResponse ?? false,
      failure.asUser ?? false,
    ]);
    const codes = python(
      `print(json.dumps([catalog.cmms_error_code(s, bad_response=b, as_user=u) for s, b, u in json.loads('${JSON.stringify(asPython)}')]))`,
    ) as string[];
    for (const [i, { name, failure }] of FAILURES.entries()) {
      const code = codes[i]!;
      expect({ name, code }).toEqual({ name, code: cmmsErrorCode(failure) });
      expect(isErrorCode(code)).toBe(true);
      for (const id of DAG_IDS) {
        expect(renderWorkflowError(id, { code, message: '' }).text).toBe(
          renderWorkflowError(id, { code: cmmsErrorCode(failure), message: '' }).text,
        );
      }
    }
  });

  it('knows every error code the DAGs can end with', () => {
    const common = ['dag_factory', 'settings', 'order_actions', 'credentials'].map(
      (name) => `omnibot_common/${name}.py`,
    );
    const sources = [...DAG_IDS.map((id) => `${id}.py`), ...common]
      .map((file) => readFileSync(join(DAGS, file), 'utf8'))
      .join('\n');
    const codes = [...sources.matchAll(/WorkflowFailure\(\s*"(\w+)"/g), ...sources.matchAll(/"code": "(\w+)"/g)].map(
      (m) => m[1]!,
    );
    expect(codes.length).toBeGreaterThan(3);
    for (const code of codes) expect(Object.keys(catalogJson.errors)).toContain(code);
    expect(readFileSync(join(DAGS, 'omnibot_common/cmms.py'), 'utf8')).not.toMatch(/WorkflowFailure\(\s*"/);
  });

  it('words each error the user can act on differently, and an unknown code as a process error', () => {
    const text = (code: string) => renderWorkflowError('listar_equipos', { code, message: '' }).text;
    expect(text('cmms_unreachable')).toMatch(/no responde\. Intenta de nuevo en unos minutos/);
    expect(text('cmms_error')).toMatch(/\(CMMS\) tuvo un error\. Intenta de nuevo/);
    expect(text('cmms_auth')).toMatch(/no tiene acceso .* Avisa a un supervisor/);
    expect(text('cmms_rejected')).toMatch(/rechazó la solicitud\. Revisa los datos/);
    expect(text('equipment_not_found')).toMatch(/no encontré ese equipo en el sistema\. Revisa el código/);
    expect(text('invalid_params')).toMatch(/: faltan datos o no son válidos\. Revisa los datos/);
    expect(text('invalid_params')).not.toMatch(/rechazó/);
    expect(text('cmms_not_found')).toMatch(/Avisa a un supervisor/);
    expect(text('config_missing')).toMatch(/Avisa a un supervisor/);
    expect(text('identity_expired')).toMatch(/: tu sesión .* ya no es válida\. Escribe "vincular cuenta"/);
    expect(text('not_allowed')).toMatch(/no le permite eso a tu cuenta\. Si tu cuenta debería poder hacerlo/);
    expect(text('not_allowed')).not.toMatch(/supervisor/); // a supervisor may be the one refused
    expect(text('not_assigned')).toMatch(/: esa orden no está asignada a ti\. Escribe "mis OT asignadas"/);
    expect(text('order_closed')).toMatch(/ya está cerrada .* no se puede cambiar desde el chat/);
    expect(text('order_closed')).not.toMatch(/Revisa el número/); // the number was right
    expect(text('order_not_found')).toMatch(/no encontré ninguna orden con ese número\. Revisa el número/);
    expect(text('no_such_code')).toBe(text('workflow_error'));
    expect(text('constructor')).toBe(text('workflow_error'));
  });

  it('words the errors of the actions on an order as one sentence about that order', () => {
    const text = (dagId: string, code: string) => renderWorkflowError(dagId, { code, message: '' }).text;
    expect(text('asignar_ot', 'order_closed')).toBe(
      'No pude asignar la orden: esa orden ya está cerrada (completada o cancelada). Una orden cerrada no se ' +
        'puede cambiar desde el chat; si la falla sigue, escribe "reportar falla" para abrir una nueva.',
    );
    expect(text('iniciar_ot', 'not_assigned')).toBe(
      'No pude iniciar la orden: esa orden no está asignada a ti. Escribe "mis OT asignadas" para ver las órdenes asignadas a ti.',
    );
    expect(text('completar_ot', 'order_not_found')).toBe(
      'No pude completar la orden: no encontré ninguna orden con ese número. Revisa el número de la orden ' +
        '(por ejemplo OT-CORR-1) y vuelve a intentarlo.',
    );
    expect(text('asignar_ot', 'not_allowed')).toBe(
      'No pude asignar la orden: el sistema de mantenimiento no le permite eso a tu cuenta. Si tu cuenta debería ' +
        'poder hacerlo, pide a un administrador del sistema de mantenimiento que revise tus permisos.',
    );
    expect(text('listar_mis_ot', 'identity_expired')).toBe(
      'No pude obtener tus órdenes de trabajo: tu sesión en el sistema de mantenimiento ya no es válida. ' +
        'Escribe "vincular cuenta" para iniciar sesión de nuevo y vuelve a intentarlo.',
    );
    for (const dagId of DAG_IDS) {
      for (const code of Object.keys(catalogJson.errors)) {
        const sentence = text(dagId, code);
        expect(sentence).toMatch(/^No pude [^:]+: [^.]+\. [A-ZÁÉÍÓÚ¿]/);
        expect(sentence).not.toMatch(/orden de trabajo: .*orden de trabajo\./); // no "orden de trabajo" twice
      }
    }
  });

  it('does not compile with a module whose id is not in the catalog, or a registry that misses one (no renderer, no run: tsc)', () => {
    const unknown = defineWorkflow({
      // @ts-expect-error 'listar_faenas' is not a catalog id
      id: 'listar_faenas',
      run: async () => ({}),
      isResult: (value): value is object => typeof value === 'object',
      render: () => ({ text: '' }),
    });
    const { listar_equipos: _left, ...rest } = workflowModules;
    // @ts-expect-error listar_equipos has no module here
    const registry: { readonly [K in DagId]: WorkflowModule<K, unknown> } = rest;
    expect([unknown.id, Object.keys(registry)]).toHaveLength(2);
  });
});
