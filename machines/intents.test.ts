import { describe, expect, it } from 'vitest';
import {
  detectIntent,
  findTechnicianQuery,
  findWorkOrderNumber,
  MAX_MINUTES,
  normalize,
  parseConfirmation,
  parseMinutes,
  parsePriority,
} from './intents.ts';

describe('detectIntent', () => {
  it.each([
    ['hola', 'greeting'],
    ['Buenos días', 'greeting'],
    ['BUENAS tardes', 'greeting'],
    ['ayuda', 'help'],
    ['help', 'help'],
    ['?', 'help'],
    ['¿qué puedes hacer?', 'help'],
    ['quiero reportar una falla', 'report_failure'],
    ['Reportar falla en el camión', 'report_failure'],
    ['necesito informar un problema', 'report_failure'],
    ['consultar estado de OT-CORR-1', 'work_order_status'],
    ['estado de mi orden', 'work_order_status'],
    ['OT-PREV-3', 'work_order_status'],
    ['listar equipos', 'list_equipment'],
    ['ver las máquinas', 'list_equipment'],
    // Issue 11: "mis OT" are the user's own orders, no longer every pending one.
    ['mis OT pendientes', 'my_orders'],
    ['mis OT', 'my_orders'],
    ['mis órdenes', 'my_orders'],
    ['mis ordenes de trabajo', 'my_orders'],
    ['vincular cuenta', 'link'],
    ['vincular', 'link'],
    ['quiero iniciar sesión', 'link'],
    ['login', 'link'],
    ['conectar mi cuenta', 'link'],
    ['desvincular', 'unlink'],
    ['cerrar sesión', 'unlink'],
    ['logout', 'unlink'],
    ['mis OT asignadas', 'my_assigned_orders'],
    ['OT asignadas', 'my_assigned_orders'],
    ['mis asignaciones', 'my_assigned_orders'],
    ['OT sin asignar', 'unassigned_orders'],
    ['órdenes sin asignar', 'unassigned_orders'],
    ['iniciar OT-CORR-1', 'start_order'],
    ['comenzar la OT 15', 'start_order'],
    ['empezar la OT-PREV-3', 'start_order'],
    ['iniciar una OT', 'start_order'],
    ['completar OT-CORR-1', 'complete_order'],
    ['terminar la OT 15', 'complete_order'],
    ['cerrar OT-CORR-2', 'complete_order'],
    ['finalizar la orden OT-7', 'complete_order'],
    ['asignar OT-CORR-1 a Juan Pérez', 'assign_order'],
    ['asignar la OT 15', 'assign_order'],
    ['borrar mis datos', 'erase_data'],
    ['Eliminar mis datos por favor', 'erase_data'],
    ['órdenes pendientes', 'pending_work_orders'],
    ['cancelar', 'cancel'],
    ['Salir', 'cancel'],
    ['reiniciar todo', 'cancel'],
    ['quiero hablar con un supervisor', 'handoff'],
    ['comunicarme con una persona', 'handoff'],
    ['falla en el equipo CAT-001', 'report_failure'],
    ['tengo una falla en la excavadora', 'report_failure'],
    ['falló el motor del CAT-001', 'report_failure'],
    ['el equipo está en mal estado', 'report_failure'],
    ['Reiniciar el PLC no soluciona la falla', 'report_failure'],
    ['reportar', 'report_failure'],
    ['listar órdenes de trabajo', 'pending_work_orders'],
    ['lista de OT', 'pending_work_orders'],
    ['¿cómo va la OT 15?', 'work_order_status'],
    ['gracias', 'thanks'],
    ['ok, muchas gracias', 'thanks'],
    ['wena', 'greeting'],
    ['asdf qwerty', 'unknown'],
    ['', 'unknown'],
    ['no quiero notificaciones', 'notifications_off'],
    ['Desactivar notificaciones', 'notifications_off'],
    ['sin notificaciones', 'notifications_off'],
    ['silenciar avisos', 'notifications_off'],
    ['Ya no quiero recibir más avisos', 'notifications_off'],
    ['cancelar las notificaciones', 'notifications_off'],
    ['activar notificaciones', 'notifications_on'],
    ['quiero notificaciones', 'notifications_on'],
    ['¡Quiero recibir avisos de nuevo!', 'notifications_on'],
    ['no mas avisos', 'notifications_off'],
    ['No más notificaciones', 'notifications_off'],
    ['basta de avisos', 'notifications_off'],
    ['ya no me avisen', 'notifications_off'],
    ['no kiero notificaciones', 'notifications_off'],
    ['"no quiero notificaciones"', 'notifications_off'],
    ['hola, ya no quiero notificaciones, gracias', 'notifications_off'],
    ['no quiero mas notificaciones de la OT-CORR-1', 'notifications_off'],
    ['prender notificaciones', 'notifications_on'],
    ['volver a recibir notificaciones', 'notifications_on'],
    ['activa avisos', 'notifications_on'],
    ['activar notificaciones por favor', 'notifications_on'],
    ['no recibir notificaciones', 'notifications_off'],
    ['no quiero notificaciones por WhatsApp', 'notifications_off'],
    ['notificaciones', 'notifications_info'],
    ['¿Mis avisos?', 'notifications_info'],
  ])('"%s" → %s', (text, intent) => {
    expect(detectIntent(text).intent).toBe(intent);
  });

  it('keeps questions about an order as status checks: the verb must come before the order', () => {
    expect(detectIntent('¿la OT-5 está completa?').intent).toBe('work_order_status');
    expect(detectIntent('fecha de inicio de la OT-5').intent).toBe('work_order_status');
    expect(detectIntent('estado de la OT-5 asignada').intent).toBe('work_order_status');
    expect(detectIntent('reportar falla: el motor no quiere empezar').intent).toBe('report_failure');
  });

  it("takes the order and the technician of an assignment, in the user's own words", () => {
    expect(detectIntent('asignar OT-CORR-1 a Juan Pérez')).toEqual({
      intent: 'assign_order',
      workOrder: 'OT-CORR-1',
      technician: 'Juan Pérez',
    });
    expect(detectIntent('asigna la OT 15 al técnico Pedro Soto.')).toMatchObject({
      workOrder: 'OT-15',
      technician: 'Pedro Soto',
    });
    expect(detectIntent('asignar a Pedro la OT-CORR-2')).toMatchObject({
      workOrder: 'OT-CORR-2',
      technician: 'Pedro',
    });
    expect(detectIntent('asignar OT-CORR-1')).toEqual({ intent: 'assign_order', workOrder: 'OT-CORR-1' });
    expect(detectIntent('completar OT-CORR-1')).toEqual({ intent: 'complete_order', workOrder: 'OT-CORR-1' });
  });

  it('takes the OT number with the status intent', () => {
    expect(detectIntent('consultar estado de OT-CORR-1')).toEqual({
      intent: 'work_order_status',
      workOrder: 'OT-CORR-1',
    });
  });

  it('does not read a cancel word inside a long description as cancel', () => {
    expect(detectIntent('el motor hace ruido y no quiere salir en marcha').intent).not.toBe('cancel');
  });

  it('leaves longer messages that mention notices to the other intents', () => {
    expect(detectIntent('la pantalla no muestra avisos de falla').intent).toBe('report_failure');
    expect(detectIntent('notificar falla').intent).toBe('report_failure');
    expect(detectIntent('el panel no da avisos de temperatura y se apaga solo').intent).not.toMatch(/^notifications/);
    expect(detectIntent('estado de las notificaciones de la OT-5').intent).toBe('work_order_status');
    // A command only as the whole message: these are descriptions and observations.
    for (const text of [
      'apagar avisos no funciona',
      'quitar los avisos del panel',
      'silencia avisos de la alarma',
      'sin aviso',
    ]) {
      expect(detectIntent(text).intent, text).not.toMatch(/^notifications/);
    }
  });

  it('reads a switch for one order as the switch for all of them', () => {
    expect(detectIntent('no quiero mas notificaciones de la OT-CORR-1')).toEqual({
      intent: 'notifications_off',
      oneOrder: true,
    });
    expect(detectIntent('activar avisos de esta orden')).toEqual({ intent: 'notifications_on', oneOrder: true });
    expect(detectIntent('activar avisos')).toEqual({ intent: 'notifications_on' });
  });

  it('keeps the original order: report before status before list', () => {
    expect(detectIntent('reportar falla del equipo, consultar estado').intent).toBe('report_failure');
    expect(detectIntent('consultar equipos').intent).toBe('work_order_status');
  });
});

describe('findWorkOrderNumber', () => {
  it.each([
    ['OT-CORR-1', 'OT-CORR-1'],
    ['ot-corr-1', 'OT-CORR-1'],
    ['ot corr 1', 'OT-CORR-1'],
    ['OT CORR-1', 'OT-CORR-1'],
    ['la ot_prev_3 por favor', 'OT-PREV-3'],
    ['estado de OT-CORR-CAT-001-20261124170414-768?', 'OT-CORR-CAT-001-20261124170414-768'],
    ['órden OT-CORR-12, por favor', 'OT-CORR-12'],
    ['cómo va la OT 15?', 'OT-15'],
    ['la ot n° 7', 'OT-7'],
  ])('"%s" → %s', (text, number) => {
    expect(findWorkOrderNumber(text)).toBe(number);
  });

  it('finds nothing in plain words', () => {
    expect(findWorkOrderNumber('estado de mi orden')).toBeUndefined();
    expect(findWorkOrderNumber('otro problema')).toBeUndefined();
    expect(findWorkOrderNumber('la OT del 15')).toBeUndefined();
    expect(findWorkOrderNumber('una ot para 2 camiones')).toBeUndefined();
  });
});

describe('parsePriority / parseConfirmation / normalize', () => {
  it('reads priorities by name, number and button id', () => {
    expect(parsePriority('alta')).toBe('Alta');
    expect(parsePriority('CRÍTICA')).toBe('Crítica');
    expect(parsePriority('4')).toBe('Crítica');
    expect(parsePriority('1')).toBe('Baja');
    expect(parsePriority('priority:media')).toBe('Media');
    expect(parsePriority('no sé')).toBeUndefined();
    expect(parsePriority('no es urgente')).toBeUndefined();
    expect(parsePriority('urgente')).toBe('Crítica');
  });

  it('reads confirmations', () => {
    for (const yes of ['sí', 'si', 'yes', 'confirmar', 'OK', 'confirm:yes', 'ya po', 'sipo', 'claro']) {
      expect(parseConfirmation(yes), yes).toBe(true);
    }
    for (const no of ['no', 'confirm:no', 'no, sí me equivoqué', 'negativo'])
      expect(parseConfirmation(no), no).toBe(false);
    for (const unsure of ['tal vez', 'ok no']) expect(parseConfirmation(unsure), unsure).toBeUndefined();
  });

  it('ignores accents, case and extra spaces', () => {
    expect(normalize('  Órden   CRÍTICA ')).toBe('orden critica');
  });
});

describe('parseMinutes', () => {
  it.each([
    ['45', 45],
    ['45 min', 45],
    ['45min', 45],
    ['90 minutos', 90],
    ['1 hora', 60],
    ['una hora', 60],
    ['2 horas', 120],
    ['1,5 horas', 90],
    ['1 h 30', 90],
    ['1 hora y 30 minutos', 90],
    ['1h30', 90],
    ['media hora', 30],
    ['hora y media', 90],
  ])('"%s" → %i', (text, minutes) => {
    expect(parseMinutes(text)).toBe(minutes);
  });

  it('refuses what is no whole time of at least a minute', () => {
    for (const text of ['0', '-5', 'mucho', '', 'ayer', '1.5', `${MAX_MINUTES + 1}`, '45 segundos']) {
      expect(parseMinutes(text), text).toBeUndefined();
    }
  });
});

describe('findTechnicianQuery', () => {
  it('finds nobody when no name follows', () => {
    expect(findTechnicianQuery('asignar OT-CORR-1')).toBeUndefined();
    expect(findTechnicianQuery('asignar OT-CORR-1 a ')).toBeUndefined();
  });
});
