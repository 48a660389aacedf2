import { describe, expect, it } from 'vitest';
import { demoEquipment } from '../../core/cmms/demo-equipment.ts';
import { extractSlots } from './index.ts';

const catalog = demoEquipment();

describe('extractSlots', () => {
  it('reads everything a whole report says', () => {
    expect(extractSlots('la excavadora CAT-002 tiene una fuga de aceite, urgente', catalog)).toEqual({
      equipment: { mention: 'excavadora CAT-002', codes: ['CAT-002'], code: 'CAT-002' },
      description: 'tiene una fuga de aceite',
      priority: 'Crítica',
    });
    expect(
      extractSlots('buenas tardes, el cargador volvo l350 tiene una fuga de combustible, prioridad alta', catalog),
    ).toEqual({
      equipment: { mention: 'cargador volvo l350', codes: ['VOL-001'] },
      description: 'tiene una fuga de combustible',
      priority: 'Alta',
    });
  });

  it('leaves out what the message does not say', () => {
    expect(extractSlots('la excavadora', catalog)).toEqual({
      equipment: { mention: 'excavadora', codes: ['CAT-001', 'CAT-002'] },
    });
    expect(extractSlots('reportar falla en CAT-001', catalog)).toEqual({
      equipment: { mention: 'CAT-001', codes: ['CAT-001'], code: 'CAT-001' },
    });
    expect(extractSlots('no frena', catalog)).toEqual({ description: 'no frena' });
    expect(extractSlots('prioridad 3', catalog)).toEqual({ priority: 'Alta' });
  });

  it('gives an order number and no description for a question about an order', () => {
    expect(extractSlots('estado de la OT-CORR-12', catalog)).toEqual({ workOrder: 'OT-CORR-12' });
    expect(extractSlots('la ot dieciocho en que esta', catalog)).toEqual({ workOrder: 'OT-18' });
    expect(extractSlots('cierra la ot 13 porfa', catalog)).toEqual({ workOrder: 'OT-13' });
  });

  it('gives no description to a question about equipment, but one to a report in words of its own', () => {
    expect(extractSlots('estado de la CAT-001', catalog)).toEqual({
      equipment: { mention: 'CAT-001', codes: ['CAT-001'], code: 'CAT-001' },
    });
    expect(extractSlots('¿la cat 320 está operativa?', catalog)).not.toHaveProperty('description');
    expect(extractSlots('la cat 320 tiene el balde desalineado', catalog)).toMatchObject({
      description: 'tiene el balde desalineado',
    });
  });

  it.each([
    'hola',
    'gracias',
    'menú',
    'ver mis OT',
    'me voy, terminé el turno',
    'no quiero notificaciones',
    'quiero hablar con una persona',
    'reportar falla',
    'ok',
  ])('finds no slot in %s', (text) => {
    expect(extractSlots(text, catalog)).toEqual({});
  });

  it('reads the same text the same way every time, with or without a catalog', () => {
    const text = 'la kom cero cero dos no frena, al tiro';
    const first = extractSlots(text, catalog);
    expect(extractSlots(text, catalog)).toEqual(first);
    expect(extractSlots(text, demoEquipment())).toEqual(first);
    expect(extractSlots(text, null)).toEqual({
      equipment: { mention: 'kom cero cero dos', codes: [], code: 'KOM-002' },
      description: 'no frena',
      priority: 'Alta',
    });
  });
});
