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
    { total: 3, open: 1, orders: [started, completed], filtro: 'mias' },
    { total: 3, orders: [started], filtro: 'mias' }, // an older run's result: no `open`
    { total: 0, open: 0, orders: [], filtro: 'asignadas' },
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
    {
      order: { ...assigned, tecnico_nombre: 'María González' },
      changed: true,
      previous: { idtecnicoasignado: 10, tecnico_nombre: 'Juan Pérez', estado_nombre: 'En Progreso' },
    },
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
  listar_mis_ot: [
    { total: 1, orders: [order] },
    { total: 1, orders: [order], filtro: 'todas' },
    { orders: [] },
    { total: 1, open: 2, orders: [order], filtro: 'mias' },
    { total: 1, open: -1, orders: [order], filtro: 'mias' },
    { total: 1, open: '1', orders: [order], filtro: 'mias' },
  ],
  listar_ot_sin_asignar: [
    { total: -1, orders: [] },
    { total: 1, orders: [{}] },
  ],
  iniciar_ot: [{ order: started }, { order: null, changed: true }, { order: started, changed: 'yes' }],
  completar_ot: [{ order: completed }, { order: completed, changed: true, minutos: '45' }, { changed: true }],
  asignar_ot: [
    { order: assigned, changed: 1 },
    { order: { ...assigned, numeroot: ' ' }, changed: true },
    { order: assigned, changed: true, previous: 'Juan Pérez' },
    { order: assigned, changed: true, previous: { tecnico_nombre: 10, estado_nombre: 'En Progreso' } },
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

  it('renders "mis OT": the open ones with their priority, then the 3 most recent closed ones', () => {
    const text = (result: unknown) => renderWorkflowResult('listar_mis_ot', result).text;
    expect(text(GOOD.listar_mis_ot[0])).toBe(
      'Tus órdenes de trabajo (3):\n• OT-CORR-1 — Excavadora — En Progreso — Alta\n' +
        'Las cerradas más recientes:\n• OT-CORR-1 — Excavadora — Completada — Alta\n…y 1 cerrada más.',
    );
    expect(text(GOOD.listar_mis_ot[1])).toBe(
      'Tus órdenes de trabajo (3):\n• OT-CORR-1 — Excavadora — En Progreso — Alta\n…y 2 cerradas más.',
    );
    const open = Array.from({ length: 15 }, (_, i) => ({ ...started, numeroot: `OT-${i + 1}` }));
    const closed = [1, 2, 3].map((i) => ({ ...completed, numeroot: `OT-C${i}`, prioridad: 'Baja' }));
    const many = text({ total: 20, open: 17, orders: [...open, ...closed], filtro: 'mias' }).split('\n');
    expect(many).toHaveLength(1 + 15 + 1 + 1 + 3);
    expect(many[0]).toBe('Tus órdenes de trabajo (20):');
    expect(many[15]).toBe('• OT-15 — Excavadora — En Progreso — Alta');
    expect(many.slice(16)).toEqual([
      '…y 2 abiertas más, menos urgentes; las ves todas en el sistema de mantenimiento.',
      'Las cerradas más recientes:',
      '• OT-C1 — Excavadora — Completada — Baja',
      '• OT-C2 — Excavadora — Completada — Baja',
      '• OT-C3 — Excavadora — Completada — Baja',
    ]);
    expect(text({ total: 4, open: 0, orders: closed, filtro: 'mias' })).toBe(
      'Tus órdenes de trabajo (4): ninguna abierta.\nLas cerradas más recientes:\n' +
        '• OT-C1 — Excavadora — Completada — Baja\n• OT-C2 — Excavadora — Completada — Baja\n' +
        '• OT-C3 — Excavadora — Completada — Baja\n…y 1 cerrada más.',
    );
    expect(text({ total: 0, open: 0, orders: [], filtro: 'mias' })).toBe(
      'No tienes órdenes de trabajo. Escribe "reportar falla" para reportar una.',
    );
  });

  it('renders the assigned and unassigned lists, and the actions on an order, naming it once as "la orden"', () => {
    const text = (id: DagId, result: unknown) => renderWorkflowResult(id, result).text;
    expect(text('listar_mis_ot', { total: 1, open: 1, orders: [assigned], filtro: 'asignadas' })).toBe(
      'Tus órdenes de trabajo asignadas (1):\n• OT-CORR-1 — Excavadora — Asignada — Alta',
    );
    const open = Array.from({ length: 15 }, (_, i) => ({ ...assigned, numeroot: `OT-${i + 1}` }));
    expect(text('listar_mis_ot', { total: 16, open: 16, orders: open, filtro: 'asignadas' })).toMatch(
      /\n• OT-15 — Excavadora — Asignada — Alta\n…y 1 más, menos urgente; las ves todas en el sistema de mantenimiento\.$/,
    );
    expect(text('listar_mis_ot', GOOD.listar_mis_ot[2])).toBe('No tienes órdenes de trabajo abiertas asignadas.');
    expect(text('listar_ot_sin_asignar', GOOD.listar_ot_sin_asignar[0])).toBe(
      'Órdenes de trabajo sin asignar (1):\n• OT-CORR-1 — Excavadora — Abierta — Alta — solicitada por Diego Fuentes',
    );
    expect(text('listar_ot_sin_asignar', GOOD.listar_ot_sin_asignar[1])).toBe(
      'No hay órdenes de trabajo abiertas sin asignar.',
    );
    expect(text('iniciar_ot', GOOD.iniciar_ot[0])).toBe('Listo, la orden OT-CORR-1 quedó En Progreso.');
    expect(text('iniciar_ot', GOOD.iniciar_ot[1])).toBe('La orden OT-CORR-1 ya estaba En Progreso; no cambié nada.');
    expect(text('completar_ot', GOOD.completar_ot[0])).toBe('Listo, completé la orden OT-CORR-1 (45 min).');
    expect(text('completar_ot', GOOD.completar_ot[1])).toBe(
      'La orden OT-CORR-1 ya estaba completada; no la completé de nuevo.',
    );
    expect(text('asignar_ot', GOOD.asignar_ot[0])).toBe(
      'Listo, asigné la orden OT-CORR-1 a Juan Pérez; quedó Asignada.',
    );
    expect(text('asignar_ot', GOOD.asignar_ot[1])).toBe(
      'La orden OT-CORR-1 ya estaba asignada a Juan Pérez (Asignada); no cambié nada.',
    );
    expect(text('asignar_ot', GOOD.asignar_ot[2])).toBe(
      'Listo, asigné la orden OT-CORR-1 a María González; quedó Asignada. Antes estaba asignada a Juan Pérez (En Progreso).',
    );
    for (const id of ['iniciar_ot', 'completar_ot', 'asignar_ot'] as const) {
      for (const result of GOOD[id]) expect(text(id, result)).not.toMatch(/\bOT OT-/);
    }
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
