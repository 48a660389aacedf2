/**
 * A workflow's result is rendered by its own module only when it has the module's shape: a
 * malformed result (from either runner, through the callback) reads as the catalog's `bad_result`
 * error, never as "null", "undefined" or another workflow's text.
 */
import { describe, expect, it } from 'vitest';
import { renderWorkflowError, renderWorkflowResult } from '../../machines/workflow-replies.ts';
import { DAG_IDS, type DagId } from '../../workflows/catalog.ts';
import { workflowModules } from '../../workflows/index.ts';

const order = {
  idordentrabajo: 1,
  numeroot: 'OT-CORR-1',
  equipo_nombre: 'Excavadora',
  estado_nombre: 'Abierta',
  tipo_mantenimiento_nombre: 'Correctivo',
  prioridad: 'Alta',
  tecnico_nombre: null,
  fechacreacionot: '2026-12-02',
  descripcionproblemareportado: 'Fuga de aceite',
  idsolicitante: 3,
  idtecnicoasignado: null,
  solicitante_nombre: 'Diego Fuentes',
};
const started = { ...order, estado_nombre: 'En Progreso', idtecnicoasignado: 10, tecnico_nombre: 'Juan Pérez' };
const completed = { ...started, estado_nombre: 'Completada' };
const assigned = { ...started, estado_nombre: 'Asignada' };
const equipment = {
  idequipo: 7,
  codigointerno: 'CAT-001',
  nombreequipo: 'Excavadora',
  marca: null,
  modelo: null,
  estado_nombre: 'Operativo',
  faena_nombre: null,
};

const GOOD = {
  consultar_estado_ot: [
    { found: true, order },
    { found: false, numeroot: 'OT-9' },
  ],
  reportar_falla: [{ order }],
  listar_equipos: [
    { total: 1, equipment: [equipment] },
    { total: 0, equipment: [] },
  ],
  listar_ot_pendientes: [
    { total: 12, orders: [order] },
    { total: 0, orders: [] },
  ],
  listar_mis_ot: [
    { total: 3, orders: [started], filtro: 'mias' },
    { total: 0, orders: [], filtro: 'asignadas' },
  ],
  listar_ot_sin_asignar: [
    { total: 1, orders: [order] },
    { total: 0, orders: [] },
  ],
  iniciar_ot: [
    { order: started, changed: true },
    { order: started, changed: false },
  ],
  completar_ot: [
    { order: completed, changed: true, minutos: 45 },
    { order: completed, changed: false },
  ],
  asignar_ot: [
    { order: assigned, changed: true },
    { order: assigned, changed: false },
  ],
};

const MALFORMED: unknown[] = [null, undefined, {}, [], 'ok', 0];
const MALFORMED_BY_ID = {
  consultar_estado_ot: [{ found: true }, { found: true, order: { ...order, numeroot: null } }, { found: false }],
  reportar_falla: [
    { order: null },
    { order: { ...order, numeroot: undefined } },
    { order: { ...order, numeroot: '' } },
    order,
  ],
  listar_equipos: [{ total: 1 }, { total: '1', equipment: [] }, { total: 1, equipment: [null] }],
  listar_ot_pendientes: [{ orders: [] }, { total: 1, orders: [{ numeroot: 5 }] }],
  listar_mis_ot: [{ total: 1, orders: [order] }, { total: 1, orders: [order], filtro: 'todas' }, { orders: [] }],
  listar_ot_sin_asignar: [
    { total: -1, orders: [] },
    { total: 1, orders: [{}] },
  ],
  iniciar_ot: [{ order: started }, { order: null, changed: true }, { order: started, changed: 'yes' }],
  completar_ot: [{ order: completed }, { order: completed, changed: true, minutos: '45' }, { changed: true }],
  asignar_ot: [
    { order: assigned, changed: 1 },
    { order: { ...assigned, numeroot: ' ' }, changed: true },
  ],
};

describe('a workflow result is checked against its workflow before it is rendered', () => {
  it("renders a well-shaped result with its workflow's text", () => {
    for (const id of DAG_IDS) {
      for (const result of GOOD[id]) {
        expect(workflowModules[id].isResult(result)).toBe(true);
        const text = renderWorkflowResult(id, result).text;
        expect(text).not.toMatch(/undefined|null|NaN|\[object/);
        expect(text).not.toMatch(/^No pude/);
      }
    }
    expect(renderWorkflowResult('reportar_falla', { order }).text).toBe(
      'Falla reportada. Se creó la orden de trabajo OT-CORR-1 para el equipo Excavadora, con prioridad Alta y estado Abierta.',
    );
  });

  it('renders the user’s orders and the actions on an order in clear Spanish', () => {
    const text = (id: DagId, result: unknown) => renderWorkflowResult(id, result).text;
    expect(text('listar_mis_ot', GOOD.listar_mis_ot[0])).toBe(
      'Tus órdenes de trabajo (3):\n• OT-CORR-1 — Excavadora — En Progreso\n…y 2 más.',
    );
    expect(text('listar_mis_ot', { total: 1, orders: [assigned], filtro: 'asignadas' })).toBe(
      'Tus órdenes de trabajo asignadas (1):\n• OT-CORR-1 — Excavadora — Asignada — Alta',
    );
    expect(text('listar_mis_ot', { total: 0, orders: [], filtro: 'mias' })).toBe('No tienes órdenes de trabajo.');
    expect(text('listar_mis_ot', GOOD.listar_mis_ot[1])).toBe('No tienes órdenes de trabajo abiertas asignadas.');
    expect(text('listar_ot_sin_asignar', GOOD.listar_ot_sin_asignar[0])).toBe(
      'Órdenes de trabajo sin técnico asignado (1):\n• OT-CORR-1 — Excavadora — Abierta — Alta',
    );
    expect(text('listar_ot_sin_asignar', GOOD.listar_ot_sin_asignar[1])).toBe(
      'No hay órdenes de trabajo abiertas sin técnico asignado.',
    );
    expect(text('iniciar_ot', GOOD.iniciar_ot[0])).toBe('Listo, la OT OT-CORR-1 quedó En Progreso.');
    expect(text('iniciar_ot', GOOD.iniciar_ot[1])).toBe('La OT OT-CORR-1 ya estaba En Progreso; no cambié nada.');
    expect(text('completar_ot', GOOD.completar_ot[0])).toBe('Listo, completé la OT OT-CORR-1 (45 min).');
    expect(text('completar_ot', GOOD.completar_ot[1])).toBe(
      'La OT OT-CORR-1 ya estaba completada; no la completé de nuevo.',
    );
    expect(text('asignar_ot', GOOD.asignar_ot[0])).toBe('Listo, asigné la OT OT-CORR-1 a Juan Pérez; quedó Asignada.');
    expect(text('asignar_ot', GOOD.asignar_ot[1])).toBe(
      'La OT OT-CORR-1 ya estaba asignada a Juan Pérez (Asignada); no cambié nada.',
    );
  });

  it("renders a result without its workflow's shape as the catalog's bad_result error", () => {
    for (const id of DAG_IDS) {
      const badResult = renderWorkflowError(id, { code: 'bad_result', message: '' }).text;
      expect(badResult).toMatch(/^No pude .*: ocurrió un error en el proceso\. Intenta de nuevo/);
      for (const result of [...MALFORMED, ...MALFORMED_BY_ID[id]]) {
        expect({ id, result, text: renderWorkflowResult(id, result).text }).toEqual({ id, result, text: badResult });
      }
    }
  });

  it("renders another workflow's result as bad_result, not as this workflow's text", () => {
    expect(renderWorkflowResult('reportar_falla', GOOD.listar_equipos[0]).text).toMatch(
      /^No pude registrar la falla: ocurrió un error/,
    );
    expect(renderWorkflowResult('no_such_dag', GOOD.listar_equipos[0]).text).toMatch(/^No pude completar tu solicitud/);
  });
});
