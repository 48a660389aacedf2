import { describe, expect, it } from 'vitest';
import { findWorkOrderNumber } from '../../machines/intents.ts';
import { findWorkOrder } from './index.ts';

describe('findWorkOrder', () => {
  it.each([
    ['OT-CORR-1', 'OT-CORR-1'],
    ['ot corr 1', 'OT-CORR-1'],
    ['OT CORR-12', 'OT-CORR-12'],
    ['ot corr12', 'OT-CORR-12'],
    ['estado de la ot-insp-3', 'OT-INSP-3'],
    ['ot-corr-cat-001-20261124170414-768', 'OT-CORR-CAT-001-20261124170414-768'],
    ['OT 15', 'OT-15'],
    ['estado OT N° 14', 'OT-14'],
    ['estado de la ot #20', 'OT-20'],
    ['ot15', 'OT-15'],
    ['la orden 18', 'OT-18'],
    ['orden número 18', 'OT-18'],
    ['me dice el estado de la orden nro 14', 'OT-14'],
    ['la orden de trabajo 7', 'OT-7'],
    ['la ot dieciocho en que esta', 'OT-18'],
    ['la ot veinte como va', 'OT-20'],
    ['ot uno cinco', 'OT-15'],
    ['la orden ciento veinte', 'OT-120'],
    ['la ot corr uno', 'OT-CORR-1'],
  ])('%s → %s', (text, workOrder) => {
    expect(findWorkOrder(text)).toBe(workOrder);
  });

  it.each(['18', 'como va la 25', 'la OT del 15', 'mis ordenes', 'ver las ot', 'la orden no llega', 'cat 001'])(
    'no order number in %s',
    (text) => {
      expect(findWorkOrder(text)).toBeUndefined();
    },
  );

  it('reads every number the keyword rules read, the same way', () => {
    for (const text of ['OT-CORR-1', 'ot corr 1', 'OT 15', 'OT n° 15', 'ot_prev_2', 'estado de la OT-5?']) {
      expect(findWorkOrder(text)).toBe(findWorkOrderNumber(text));
    }
  });
});
