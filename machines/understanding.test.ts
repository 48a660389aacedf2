import { describe, expect, it } from 'vitest';
import { demoEquipment } from '../core/cmms/demo-equipment.ts';
import { extractSlots } from '../language/slots/index.ts';
import type { CatalogEquipment } from '../language/types.ts';
import { CHOSEN, menuCommand, understandText, understandWith } from './understanding.ts';

const catalog: CatalogEquipment[] = demoEquipment().map(({ codigointerno, nombreequipo, marca, modelo }) => ({
  codigointerno,
  nombreequipo,
  marca,
  modelo,
}));

/** The intent, the equipment codes and the other slots a message gives with the demo catalog. */
function read(text: string) {
  const { intent, slots } = understandText(text, catalog);
  const { equipment, ...rest } = slots;
  return { intent, ...(equipment ? { equipment: equipment.codes } : {}), ...rest };
}

describe('a failure said in one message', () => {
  it.each([
    ['la excavadora CAT-002 tiene una fuga de aceite', ['CAT-002'], 'tiene una fuga de aceite'],
    ['el camión KOM-001 no arranca', ['KOM-001'], 'no arranca'],
    ['el KOM-001 tiene un problema en el motor', ['KOM-001'], 'tiene un problema en el motor'],
    ['se echó a perder el cargador', ['VOL-001'], 'se echó a perder'],
    ['está botando aceite la cat 336', ['CAT-002'], 'está botando aceite'],
    ['cat cero cero uno no parte', ['CAT-001'], 'no parte'],
  ])('"%s" reports a failure of %j: "%s"', (text, equipment, description) => {
    expect(read(text)).toEqual({ intent: 'report_failure', equipment, description });
  });

  it('takes the priority said with it', () => {
    expect(read('KOM-001 tiene un problema en el motor, urgente')).toEqual({
      intent: 'report_failure',
      equipment: ['KOM-001'],
      description: 'tiene un problema en el motor',
      priority: 'Crítica',
    });
  });

  it('asks nothing more of the equipment when the request names only it', () => {
    expect(read('reportar falla en CAT-001')).toEqual({ intent: 'report_failure', equipment: ['CAT-001'] });
  });

  it('keeps every match of an ambiguous mention', () => {
    expect(read('la excavadora no gira')).toMatchObject({ equipment: ['CAT-001', 'CAT-002'], description: 'no gira' });
  });

  it('finds codes by their shape without a catalog', () => {
    const { intent, slots } = understandText('la excavadora CAT-002 tiene una fuga de aceite');
    expect(intent).toBe('report_failure');
    expect(slots.equipment?.code).toBe('CAT-002');
  });
});

describe('small talk and requests', () => {
  it.each([
    ['chao', 'farewell'],
    ['ok', 'acknowledge'],
    ['ya po', 'acknowledge'],
    ['necesito un supervisor', 'handoff'],
    ['buen día', 'greeting'],
    ['muchas gracias', 'thanks'],
  ])('"%s" → %s, with no slots', (text, intent) => {
    expect(understandText(text, catalog)).toMatchObject({ intent, slots: {} });
  });

  it('reads "al tiro" alone as nothing to act on (it is a priority only as an answer)', () => {
    const reading = understandText('al tiro', catalog);
    expect(reading.intent).not.toBe('report_failure');
    expect(reading.slots).toEqual({});
  });

  it('answers unknown to gibberish', () => {
    for (const text of ['asdf qwerty', 'blablabla', 'jkjkjk ñañaña']) expect(read(text).intent, text).toBe('unknown');
  });
});

describe('orders', () => {
  it('takes the order number with a status question, in its canonical form', () => {
    expect(read('estado de la orden 18')).toEqual({ intent: 'work_order_status', workOrder: 'OT-18' });
    expect(read('la ot dieciocho en que esta')).toEqual({ intent: 'work_order_status', workOrder: 'OT-18' });
  });

  it('takes the order and the technician of an assignment', () => {
    expect(read('asignale la orden 12 a Luis Muñoz')).toEqual({
      intent: 'assign_order',
      workOrder: 'OT-12',
      technician: 'Luis Muñoz',
    });
  });

  it('keeps the order number of an action and drops what does not belong to it', () => {
    expect(read('cerrar la OT-CORR-4 que tenía fuga de aceite')).toEqual({
      intent: 'complete_order',
      workOrder: 'OT-CORR-4',
    });
  });
});

describe('the menu fast path', () => {
  it('reads the menu commands and buttons exactly, with no classifier', () => {
    const classify = () => {
      throw new Error('the classifier was asked');
    };
    const parts = { classify, extract: () => ({}) };
    for (const [text, intent] of [
      ['reportar falla', 'report_failure'],
      ['Consultar estado', 'work_order_status'],
      ['listar equipos', 'list_equipment'],
      ['ayuda', 'help'],
      ['Menú', 'help'],
      ['hola!', 'greeting'],
      ['Mis OT', 'my_orders'],
      ['Mis OT asignadas', 'my_assigned_orders'],
      ['OT sin asignar', 'unassigned_orders'],
      ['Vincular cuenta', 'link'],
    ] as const) {
      expect(menuCommand(text), text).toBe(intent);
      expect(understandWith(text, null, CHOSEN, parts), text).toEqual({ intent, by: 'menu', slots: {} });
    }
    expect(menuCommand('reportar falla en la CAT-001')).toBeUndefined();
  });
});

describe('how a message was read', () => {
  it('says which part decided and, for the classifier, its score', () => {
    expect(understandText('cancelar').by).toBe('menu');
    expect(understandText('no quiero notificaciones por WhatsApp').by).toBe('rules');
    const classified = understandText('oye el martillo hidraulico esta sonando raro desde ayer');
    expect(classified).toMatchObject({ intent: 'report_failure', by: 'classifier' });
    expect(classified.score).toBeGreaterThanOrEqual(CHOSEN.threshold);
  });

  it('reads the same message the same way every time', () => {
    const text = 'el cargador se quedó en pana en la rampa';
    expect(understandText(text, catalog)).toEqual(understandText(text, catalog));
  });
});

describe('phrasings read by general rules', () => {
  it('takes a thumbs-up or folded hands alone as small talk', () => {
    expect(understandText('👍')).toMatchObject({ intent: 'acknowledge', by: 'rules' });
    expect(understandText('👍👍')).toMatchObject({ intent: 'acknowledge', by: 'rules' });
    expect(understandText('🙏')).toMatchObject({ intent: 'thanks', by: 'rules' });
    expect(understandText('buena')).toMatchObject({ intent: 'acknowledge', by: 'rules' });
    expect(understandText('buenas')).toMatchObject({ intent: 'greeting', by: 'rules' });
  });

  it('drops what was being done on a short "para" or "ya no"', () => {
    for (const text of ['para', 'ya no', 'no sigas', 'no quiero seguir'])
      expect(understandText(text).intent, text).toBe('cancel');
  });

  it('reads an order action asked as a question as a question about the order', () => {
    expect(read('se terminó la OT-CORR-21 o no?')).toEqual({ intent: 'work_order_status', workOrder: 'OT-CORR-21' });
    expect(read('terminé la OT-CORR-21')).toEqual({ intent: 'complete_order', workOrder: 'OT-CORR-21' });
  });

  it('switches alerts as it switches notifications', () => {
    expect(understandText('desactiva las alertas')).toMatchObject({ intent: 'notifications_off', by: 'rules' });
    expect(understandText('para las notificaciones')).toMatchObject({ intent: 'notifications_off', by: 'rules' });
    expect(understandText('mándame notificaciones')).toMatchObject({ intent: 'notifications_on', by: 'rules' });
  });

  it('tells orders not assigned and orders assigned to me apart', () => {
    expect(understandText('ver ordenes no asignadas').intent).toBe('unassigned_orders');
    expect(understandText('ordenes que tengo asignadas').intent).toBe('my_assigned_orders');
  });
});

describe('slots read once the intent is known', () => {
  /** The understanding when the classifier reads `intent`. */
  const readAs = (intent: string, text: string) =>
    understandWith(text, catalog, CHOSEN, { classify: () => [{ intent, score: 0.9 }], extract: extractSlots });

  it('takes the technician said after the order', () => {
    expect(readAs('assign_order', 'la orden 40 pásasela a Camila Rojas')).toMatchObject({
      intent: 'assign_order',
      by: 'classifier',
      slots: { workOrder: 'OT-40', technician: 'Camila Rojas' },
    });
  });

  it('takes a report in words no symptom list knows as its own description', () => {
    expect(readAs('report_failure', 'la máquina quedó botada')).toMatchObject({
      intent: 'report_failure',
      slots: { description: 'la máquina quedó botada' },
    });
    expect(readAs('report_failure', 'quiero reportar una falla').slots).toEqual({});
  });
});

describe('the account, orders and notifications in more phrasings', () => {
  it.each([
    ['desloguearme', 'unlink'],
    ['desasociar mi cuenta', 'unlink'],
    ['quitar la vinculación', 'unlink'],
    ['loguearme', 'link'],
    ['enlazar mi cuenta', 'link'],
    ['ot por asignar', 'unassigned_orders'],
    ['órdenes pendientes de asignación', 'unassigned_orders'],
    ['mis reportes', 'my_orders'],
    ['las OT que he levantado', 'my_orders'],
    ['info de notificaciones', 'notifications_info'],
    ['¿tengo las alertas prendidas?', 'notifications_info'],
    ['¿para qué son las notificaciones?', 'notifications_info'],
    ['sácame de los avisos', 'notifications_off'],
    ['me tengo que ir', 'farewell'],
  ])('"%s" → %s by the rules', (text, intent) => {
    expect(understandText(text)).toMatchObject({ intent, by: 'rules' });
  });
});

describe('long messages', () => {
  it('reads a pasted page for its start and keeps a long report whole as its description', () => {
    const details = ' Se revisó el nivel y sigue perdiendo aceite por el sello.'.repeat(40);
    const { intent, slots } = understandText(`la excavadora CAT-002 tiene una fuga de aceite.${details}`, catalog);
    expect(intent).toBe('report_failure');
    expect(slots.equipment?.codes).toEqual(['CAT-002']);
    expect(slots.description?.startsWith('tiene una fuga de aceite')).toBe(true);
    expect(slots.description?.endsWith('perdiendo aceite por el sello.')).toBe(true);
    expect(slots.description?.length).toBeGreaterThan(2000);
  });

  it('takes no order number or name longer than any real one', () => {
    expect(understandText('OT-'.repeat(1500), catalog).slots.workOrder).toBeUndefined();
    const { slots } = understandText(`asignar la OT-12 a ${'Juan '.repeat(300)}`, catalog);
    expect(slots.technician).toBeUndefined();
    expect(slots.workOrder).toBe('OT-12');
  });
});
