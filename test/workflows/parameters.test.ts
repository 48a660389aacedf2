/**
 * One rule for a workflow's parameters in both languages: the same params are refused with the
 * same `invalid_params` message, or reach the workflow with the same normalized values, whether the
 * in-process runner (`workflows/catalog.ts`) or a DAG (`dags/omnibot_common/catalog.py`) runs it.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DagId, invalidParameters, normalizeParameters, workflowParameter } from '../../workflows/catalog.ts';

const DAGS = join(import.meta.dirname, '../../dags');

const CASES: [DagId, Record<string, unknown>][] = [
  ['consultar_estado_ot', { numeroot: 'OT-CORR-1' }],
  ['consultar_estado_ot', { numeroot: '  OT-CORR-1 ' }],
  ['consultar_estado_ot', { numeroot: '   ' }],
  ['consultar_estado_ot', {}],
  ['consultar_estado_ot', { numeroot: 12 }],
  ['consultar_estado_ot', { numeroot: null }],
  ['reportar_falla', { idequipo: 7, descripcion: 'Fuga de aceite en el cilindro', prioridad: 'Alta' }],
  ['reportar_falla', { idequipo: '7', descripcion: '  Fuga de aceite  ', prioridad: 'critica' }],
  ['reportar_falla', { idequipo: 7, descripcion: 'Fuga de aceite', prioridad: '4' }],
  ['reportar_falla', { idequipo: 7, descripcion: 'Fuga de aceite', prioridad: 2 }],
  ['reportar_falla', { idequipo: 7, descripcion: 'Fuga de aceite', prioridad: '' }],
  ['reportar_falla', { idequipo: 7, descripcion: 'Fuga de aceite', prioridad: 'urgente' }],
  ['reportar_falla', { idequipo: 7, descripcion: 'Fuga de aceite', prioridad: '5' }],
  ['reportar_falla', { idequipo: 'CAT-001', descripcion: 'Fuga de aceite' }],
  ['reportar_falla', { idequipo: 7.5, descripcion: 'Fuga de aceite' }],
  ['reportar_falla', { idequipo: true, descripcion: 'Fuga de aceite' }],
  ['reportar_falla', { idequipo: 7, descripcion: 'corta' }],
  ['reportar_falla', { idequipo: 7, descripcion: '  123456789 ' }],
  ['reportar_falla', { idequipo: 7, descripcion: 'ñandúñandú' }],
  ['reportar_falla', { descripcion: ' ' }],
  ['reportar_falla', { idequipo: 'x', descripcion: 'corta', prioridad: 'nada' }],
  ['listar_equipos', {}],
  ['listar_ot_pendientes', { extra: 'ignored' }],
  ['reportar_falla', { idequipo: 7, descripcion: 'Fuga de aceite', reportado_por: ' Reportado por Juan vía SMS ' }],
  ['reportar_falla', { idequipo: 7, descripcion: 'Fuga de aceite', reportado_por: 3 }],
  ['listar_mis_ot', { idusuario: 10, filtro: 'mias' }],
  ['listar_mis_ot', { idusuario: '10', filtro: ' ASIGNADAS ' }],
  ['listar_mis_ot', { idusuario: 10, filtro: 'Mías' }],
  ['listar_mis_ot', { idusuario: 10, filtro: 'todas' }],
  ['listar_mis_ot', { idusuario: 0, filtro: 'mias' }],
  ['listar_mis_ot', { idusuario: -3, filtro: 'mias' }],
  ['listar_mis_ot', { filtro: 'mias' }],
  ['listar_ot_sin_asignar', {}],
  ['iniciar_ot', { numeroot: 'OT-CORR-1', idusuario: 10 }],
  ['iniciar_ot', { numeroot: 'OT-CORR-1', idusuario: 10.0 }],
  ['completar_ot', { numeroot: 'OT-CORR-1', idusuario: 10, observaciones: 'Sello cambiado', minutos: '45' }],
  ['completar_ot', { numeroot: 'OT-CORR-1', idusuario: 10, observaciones: ' ok ', minutos: 0 }],
  ['completar_ot', { numeroot: 'OT-CORR-1', idusuario: 10, observaciones: 'Listo', minutos: 1.5 }],
  ['completar_ot', { numeroot: ' ', observaciones: '' }],
  ['asignar_ot', { numeroot: 'OT-PREV-4', idtecnico: '11' }],
  ['asignar_ot', { numeroot: 'OT-PREV-4', idtecnico: 'Juan' }],
];

function fromPython(): { invalid: (string | null)[]; normalized: Record<string, unknown>[] } {
  const script = [
    'import json, sys',
    'from omnibot_common import catalog',
    'cases = json.load(sys.stdin)',
    'print(json.dumps({',
    '  "invalid": [catalog.invalid_parameters(i, p) for i, p in cases],',
    '  "normalized": [catalog.normalize_parameters(i, p) for i, p in cases],',
    '}))',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script], {
    cwd: DAGS,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    input: JSON.stringify(CASES),
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

describe('workflow parameters, one rule in both languages', () => {
  it('refuses and normalizes the same params alike in TypeScript and Python', () => {
    const python = fromPython();
    for (const [i, [id, params]] of CASES.entries()) {
      const ts = { id, params, invalid: invalidParameters(id, params) };
      expect(ts).toEqual({ id, params, invalid: python.invalid[i] });
      if (ts.invalid === null)
        expect({ id, params, normalized: normalizeParameters(id, params) }).toEqual({
          id,
          params,
          normalized: python.normalized[i],
        });
    }
  });

  it('says what is wrong, in the words both runners use', () => {
    expect(invalidParameters('consultar_estado_ot', {})).toBe('numeroot is required');
    expect(invalidParameters('reportar_falla', { descripcion: '' })).toBe('idequipo, descripcion are required');
    expect(
      invalidParameters('reportar_falla', { idequipo: 'CAT-001', descripcion: 'corta', prioridad: 'urgente' }),
    ).toBe(
      'idequipo must be an integer; descripcion must have at least 10 characters; prioridad must be one of Baja, Media, Alta, Crítica (or 1-4)',
    );
  });

  it('hands the workflow an integer id, a trimmed text and a CMMS priority name', () => {
    expect(
      normalizeParameters('reportar_falla', {
        idequipo: ' 12 ',
        descripcion: ' Fuga de aceite ',
        prioridad: 'CRÍTICA',
      }),
    ).toEqual({
      idequipo: 12,
      descripcion: 'Fuga de aceite',
      prioridad: 'Crítica',
    });
    expect(
      normalizeParameters('reportar_falla', { idequipo: 12, descripcion: 'Fuga de aceite', prioridad: null }),
    ).toEqual({
      idequipo: 12,
      descripcion: 'Fuga de aceite',
    });
  });

  it('hands over a listed value as listed, and refuses an integer under its minimum', () => {
    expect(normalizeParameters('listar_mis_ot', { idusuario: '10', filtro: ' Asignadas ' })).toEqual({
      idusuario: 10,
      filtro: 'asignadas',
    });
    expect(invalidParameters('listar_mis_ot', { idusuario: 0, filtro: 'todas' })).toBe(
      'idusuario must be at least 1; filtro must be one of mias, asignadas',
    );
    expect(
      invalidParameters('completar_ot', { numeroot: 'OT-1', idusuario: 10, observaciones: 'ok', minutos: 0 }),
    ).toBe('observaciones must have at least 3 characters; minutos must be at least 1');
  });

  it("asks the user for as long a description as the runners accept (the catalog's minLength)", () => {
    expect(workflowParameter('reportar_falla', 'descripcion').minLength).toBe(10);
  });
});
