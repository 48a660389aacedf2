/**
 * A workflow's result is rendered by its own module only when it has the module's shape: a
 * malformed result (from either runner, through the callback) reads as the catalog's `bad_result`
 * error, never as "null", "undefined" or another workflow's text.
 */
import { describe, expect, it } from 'vitest';
import { renderWorkflowError, renderWorkflowResult } from '../../machines/workflow-replies.ts';
import { DAG_IDS } from '../../workflows/catalog.ts';
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
};
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
