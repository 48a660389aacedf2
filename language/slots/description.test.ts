import { describe, expect, it } from 'vitest';
import { demoEquipment } from '../../core/cmms/demo-equipment.ts';
import { findDescription } from './index.ts';

const catalog = demoEquipment();

describe('findDescription', () => {
  it.each([
    ['la excavadora CAT-002 tiene una fuga de aceite', 'tiene una fuga de aceite'],
    ['el camión KOM-001 no arranca', 'no arranca'],
    ['KOM-001 tiene un problema en el motor, urgente', 'tiene un problema en el motor'],
    ['se echó a perder el cargador', 'se echó a perder'],
    ['está botando aceite la cat 336', 'está botando aceite'],
    ['la grua no levanta', 'no levanta'],
    ['hay una falla en el motor', 'hay una falla en el motor'],
    ['el motor de la kom 1 se apaga solo', 'el motor se apaga solo'],
    ['la cat 336 está botando aceite, urgente', 'está botando aceite'],
    ['Hola, quiero reportar que la grúa Liebherr no levanta', 'no levanta'],
    ['buenas tardes, reportar falla en la CAT-001: no parte el motor', 'no parte el motor'],
    ['reporto que la luz de alarma esta prendida', 'la luz de alarma esta prendida'],
    ['oye la 336 no parte, prioridad alta porfa', 'no parte'],
    ['la cat 320 tiene prioridad media, pierde aceite', 'pierde aceite'],
    ['es una emergencia, se volcó el camión', 'se volcó'],
    ['FALLA: KOM-002 sin frenos', 'sin frenos'],
    ['el camion 2 no tiene frenos', 'no tiene frenos'],
    ['kiero reportar q la cat001 esta sin frenos', 'esta sin frenos'],
    ['la maquina no parte', 'la maquina no parte'],
    ['NO FRENA el volvo', 'NO FRENA'],
    ['Equipo: CAT-002. Falla: fuga de aceite. Prioridad: alta', 'fuga de aceite'],
    ['favor revisar la CAT-002, pierde aceite', 'pierde aceite'],
    ['tenemos problemas con la motoniveladora, la hoja no baja', 'la hoja no baja'],
    ['Se reporta falla en CAT 002: no enciende', 'no enciende'],
    ['el equipo CAT-001 no parte', 'no parte'],
  ])('%s → %s', (text, description) => {
    expect(findDescription(text, catalog)).toBe(description);
  });

  it.each([
    'reportar falla en CAT-001',
    'reportar falla en la cat 320',
    'quiero reportar una falla en la excavadora',
    'reporte de falla para la perforadora',
    'tengo una falla en la perforadora',
    'la excavadora tiene un problema',
    'falla',
    'una falla',
    'fallas',
    'un problema',
    'hola',
    'gracias',
    'la excavadora 336',
    'urgente',
  ])('no description in %s', (text) => {
    expect(findDescription(text, catalog)).toBeUndefined();
  });

  it('keeps the names when there is no catalog to read them', () => {
    expect(findDescription('la grua no levanta', null)).toBe('la grua no levanta');
    expect(findDescription('la CAT-002 no levanta', null)).toBe('no levanta');
  });
});
