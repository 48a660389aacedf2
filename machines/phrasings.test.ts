/** How people write orders, technicians and times (the review of issue 11's conversations). */
import { describe, expect, it } from 'vitest';
import { isClearCommand, orderAnswer } from './commands.ts';
import {
  detectIntent,
  durationText,
  findTechnicianQuery,
  parseMinutes,
  pickedNumber,
  technicianAnswer,
} from './intents.ts';

describe('assignments and what the user has to do', () => {
  it.each([
    ['reasignar OT-PREV-4 a maria', 'maria'],
    ['pasale la OT-PREV-4 a maria', 'maria'],
    ['Pásale la OT-PREV-4 a María', 'María'],
    ['pasar la OT-PREV-4 a Carla Rojas', 'Carla Rojas'],
    ['asignar OT-PREV-4 a carla rojas por favor', 'carla rojas'],
    ['asignar OT-PREV-4 a Carla, porfa', 'Carla'],
    ['asigna la OT-PREV-4 al técnico Pedro. Gracias!', 'Pedro'],
  ])('"%s" assigns OT-PREV-4 to "%s"', (text, technician) => {
    expect(detectIntent(text)).toEqual({ intent: 'assign_order', workOrder: 'OT-PREV-4', technician });
  });

  it('keeps "cerrar" or "terminar" alone, which may mean the chat, from asking for an order', () => {
    expect(detectIntent('cerrar').intent).toBe('unknown');
    expect(detectIntent('terminar').intent).toBe('unknown');
  });

  it('keeps "pasar" without a technician for what it was', () => {
    expect(detectIntent('pasame con un supervisor').intent).toBe('handoff');
    expect(detectIntent('pasar la OT-PREV-4').intent).toBe('work_order_status');
  });

  it.each([
    ['mis pendientes', 'my_pending'],
    ['¿Qué tengo asignado?', 'my_pending'],
    ['que tengo pendiente', 'my_pending'],
    ['mis asignadas', 'my_pending'],
    ['mis OT asignadas', 'my_assigned_orders'],
    ['mis OT pendientes', 'my_orders'],
    ['iniciar', 'start_order'],
    ['Completar', 'complete_order'],
    ['finalizar', 'complete_order'],
    ['asignar', 'assign_order'],
    ['reasignar', 'assign_order'],
  ])('"%s" → %s', (text, intent) => {
    expect(detectIntent(text)).toEqual({ intent });
  });

  it('reads an answer to "¿A qué técnico…?" as the name alone', () => {
    expect(technicianAnswer('asignar a maria')).toBe('maria');
    expect(technicianAnswer('a María González')).toBe('María González');
    expect(technicianAnswer('al técnico Pedro, por favor')).toBe('Pedro');
    expect(technicianAnswer('Alberto Soto')).toBe('Alberto Soto');
    expect(technicianAnswer('Pascual Rojas')).toBe('Pascual Rojas');
    expect(technicianAnswer('a')).toBe('');
    expect(findTechnicianQuery('asignar OT-1 a Ana gracias')).toBe('Ana');
  });

  it('reads a number picked from a list', () => {
    expect(['3', '3.', 'el 3', 'n° 3', '#3', 'opción 3'].map(pickedNumber)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(pickedNumber('Luis')).toBeUndefined();
    expect(pickedNumber('OT-3')).toBeUndefined();
  });

  it('reads digits alone as an order number in an answer', () => {
    expect(orderAnswer('5')).toBe('OT 5');
    expect(orderAnswer('la 5')).toBe('OT 5');
    expect(orderAnswer('5 a María')).toBe('OT 5 a María');
    expect(orderAnswer('OT-PREV-5')).toBe('OT-PREV-5');
    expect(orderAnswer('no sé')).toBeUndefined();
  });
});

describe('parseMinutes: times as people write them', () => {
  it.each([
    ['1:30', 90],
    ['2:05 h', 125],
    ['dos horas', 120],
    ['tres horas', 180],
    ['noventa', 90],
    ['cuarenta y cinco minutos', 45],
    ['ciento veinte', 120],
    ['ciento veinte minutos', 120],
    ['veinticinco min', 25],
    ['como 40 min', 40],
    ['unos 30 minutos', 30],
    ['una hora y media aprox', 90],
    ['aproximadamente 2 horas', 120],
    ['45 min.', 45],
    ["45'", 45],
    ['45’', 45],
    ['dos horas y media', 150],
    ['hora y cuarto', 75],
    ['tres cuartos de hora', 45],
    ['2000', 2000],
  ])('"%s" → %i', (text, minutes) => {
    expect(parseMinutes(text)).toBe(minutes);
  });

  it('still refuses what is no time', () => {
    for (const text of ['mucho', 'ayer', 'como siempre', '1.5', '45 segundos', 'unos cuantos']) {
      expect(parseMinutes(text), text).toBeUndefined();
    }
  });

  it('says a long time in hours and minutes', () => {
    expect(durationText(2000)).toBe('33 horas y 20 minutos');
    expect(durationText(1020)).toBe('17 horas');
    expect(durationText(61)).toBe('1 hora y 1 minuto');
  });
});

describe('isClearCommand: a command typed where free text is expected', () => {
  const command = (text: string) => isClearCommand(text, detectIntent(text));

  it.each([
    'borrar mis datos',
    'ayuda',
    'menú',
    'hola',
    'Buenos días',
    'finalizar OT-CORR-1',
    'iniciar OT-CORR-CAT-001-20261124170414-768',
    'asignar OT-PREV-4 a María Fernanda Soto Valenzuela',
    'mis OT',
    'mis pendientes',
    'estado de OT-CORR-1',
    '¿cómo va la OT-CORR-2?',
    'OT-CORR-1',
    'vincular cuenta',
    'cerrar sesión',
    'reportar falla',
    'iniciar',
  ])('"%s" is a command', (text) => {
    expect(command(text)).toBe(true);
  });

  it.each([
    'Se completó el cambio de sello en la OT-CORR-1 y quedó operativo',
    'Terminé el cambio de filtro; la OT-CORR-1 quedó lista para revisar su estado',
    'Se vinculó el sensor nuevo al PLC del equipo',
    'Revisé la falla del motor y ajusté las correas',
    'Buenas condiciones generales, sin fugas',
    'Sin novedades',
    '45 minutos',
    'Se cambió la bomba; ver menú de diagnóstico del tablero para más detalles',
  ])('"%s" is free text', (text) => {
    expect(command(text)).toBe(false);
  });
});
