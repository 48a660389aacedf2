import { describe, expect, it } from 'vitest';
import { findPriority } from './index.ts';

describe('findPriority', () => {
  it.each([
    ['KOM-001 tiene un problema en el motor, urgente', 'Crítica'],
    ['URGENTE la grua no levanta', 'Crítica'],
    ['es urgentisimo', 'Crítica'],
    ['tenemos una urgencia con el camion', 'Crítica'],
    ['es crítico, no frena', 'Crítica'],
    ['la falla es critica', 'Crítica'],
    ['es una emergencia, se volcó', 'Crítica'],
    ['kom001 bota agua por el radiador URG', 'Crítica'],
    ['prioridad 4', 'Crítica'],
    ['prioridad critica', 'Crítica'],
    ['prioridad alta', 'Alta'],
    ['con alta prioridad', 'Alta'],
    ['no arranca, alta', 'Alta'],
    ['vengan al tiro', 'Alta'],
    ['altiro porfa', 'Alta'],
    ['lo antes posible', 'Alta'],
    ['lo más rápido posible', 'Alta'],
    ['rápido x favor', 'Alta'],
    ['cuanto antes', 'Alta'],
    ['prioridad 3', 'Alta'],
    ['prioridad: tres', 'Alta'],
    ['prioridad media', 'Media'],
    ['pierde aceite, normal', 'Media'],
    ['prioridad normal', 'Media'],
    ['prioridad 2', 'Media'],
    ['prioridad baja', 'Baja'],
    ['baja prioridad', 'Baja'],
    ['no es urgente', 'Baja'],
    ['no es tan urgente', 'Baja'],
    ['nada urgente', 'Baja'],
    ['no urge', 'Baja'],
    ['cuando puedan', 'Baja'],
    ['sin apuro', 'Baja'],
    ['no hay apuro', 'Baja'],
    ['puede esperar', 'Baja'],
    ['prioridad 1', 'Baja'],
    ['prioridad muy alta', 'Alta'],
    ['nivel de prioridad 3', 'Alta'],
    ['prioridad máxima', 'Crítica'],
    ['cuando tengan un rato', 'Baja'],
    ['no es urgencia', 'Baja'],
  ] as const)('%s → %s', (text, priority) => {
    expect(findPriority(text)).toBe(priority);
  });

  it.each([
    'la temperatura del motor está alta',
    'no baja la hoja',
    'la presión está baja',
    'hace media hora que no parte',
    'funciona normal',
    'el freno de emergencia no funciona',
    'la excavadora no gira',
    'hola',
    '3',
    'la orden 4',
    'se calienta muy rápido',
  ])('no priority in %s', (text) => {
    expect(findPriority(text)).toBeUndefined();
  });

  it('lets the negation win over the word it denies', () => {
    expect(findPriority('no es urgente pero pierde aceite')).toBe('Baja');
    expect(findPriority('no es crítico')).toBe('Baja');
  });
});
