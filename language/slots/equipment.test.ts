import { describe, expect, it } from 'vitest';
import { demoEquipment } from '../../core/cmms/demo-equipment.ts';
import type { CatalogEquipment } from '../types.ts';
import { findEquipment } from './index.ts';

const catalog: readonly CatalogEquipment[] = demoEquipment();
const codesOf = (text: string, list: readonly CatalogEquipment[] | null = catalog) => findEquipment(text, list)?.codes;

describe('findEquipment: codes in every written and dictated form', () => {
  it.each([
    ['la CAT-001 no arranca', 'CAT-001'],
    ['cat 001 pierde aceite', 'CAT-001'],
    ['cat001 sin frenos', 'CAT-001'],
    ['CAT 1 no parte', 'CAT-001'],
    ['revisen la cat-1', 'CAT-001'],
    ['Cat 001.', 'CAT-001'],
    ['cat cero cero uno no parte', 'CAT-001'],
    ['kom cero cero dos bota aceite', 'KOM-002'],
    ['la kom cero uno', 'KOM-001'],
    ['atl 1 no perfora', 'ATL-001'],
    ['JD001 sin direccion', 'JD-001'],
    ['la kom 2 pierde aceite', 'KOM-002'],
  ])('%s → %s', (text, code) => {
    expect(findEquipment(text, catalog)).toMatchObject({ codes: [code], code });
  });

  it('finds codes by their shape without a catalog, canonical as written', () => {
    expect(findEquipment('la CAT-002 tiene una fuga', null)).toEqual({
      mention: 'CAT-002',
      codes: [],
      code: 'CAT-002',
    });
    expect(findEquipment('cat cero cero uno no parte', null)).toMatchObject({ codes: [], code: 'CAT-001' });
    expect(findEquipment('atl 1', null)).toMatchObject({ code: 'ATL-1' });
    expect(findEquipment('XYZ-12 no arranca', null)).toMatchObject({ code: 'XYZ-12' });
  });

  it('keeps a code the catalog does not have, with no catalog codes', () => {
    expect(findEquipment('la CAT-009 no parte', catalog)).toEqual({ mention: 'CAT-009', codes: [], code: 'CAT-009' });
    expect(findEquipment('cat 9 no parte', catalog)).toMatchObject({ codes: [], code: 'CAT-009' });
  });

  it('names the mention with the naming words as written, without the article', () => {
    expect(findEquipment('la excavadora CAT-002 tiene una fuga de aceite', catalog)).toEqual({
      mention: 'excavadora CAT-002',
      codes: ['CAT-002'],
      code: 'CAT-002',
    });
    expect(findEquipment('está botando aceite la Cat 336', catalog)).toEqual({
      mention: 'Cat 336',
      codes: ['CAT-002'],
    });
  });
});

describe('findEquipment: catalog names', () => {
  it.each([
    ['la excavadora no gira', ['CAT-001', 'CAT-002']],
    ['las excavadoras', ['CAT-001', 'CAT-002']],
    ['la excavadora 336 no gira', ['CAT-002']],
    ['la 336 bota aceite', ['CAT-002']],
    ['el camion no frena', ['KOM-001', 'KOM-002']],
    ['los camiones estan parados', ['KOM-001', 'KOM-002']],
    ['el komatsu 930 no parte', ['KOM-001']],
    ['el 830 sin frenos', ['KOM-002']],
    ['el volvo no arranca', ['VOL-001']],
    ['el cargador no levanta el balde', ['VOL-001']],
    ['el cargador frontal l350 bota aceite', ['VOL-001']],
    ['el frontal se quedo pegado', ['VOL-001']],
    ['la grua no levanta', ['LIE-001']],
    ['la Liebherr LTM 1100 no levanta la pluma', ['LIE-001']],
    ['la perforadora atlas no perfora', ['ATL-001']],
    ['la atlas copco', ['ATL-001']],
    ['la moto niveladora', ['JD-001']],
    ['la motoniveladora no avanza', ['JD-001']],
    ['la niveladora esta botando aceite', ['JD-001']],
    ['la john deere no avanza', ['JD-001']],
    ['la cat no parte', ['CAT-001', 'CAT-002']],
    ['la caterpillar 320', ['CAT-001']],
    ['cat trescientos treinta y seis bota aceite', ['CAT-002']],
    ['la excavadora trescientos veinte', ['CAT-001']],
    ['el camion 2 no tiene frenos', ['KOM-002']],
    ['la excavadora nro 1', ['CAT-001']],
    ['el camion dos', ['KOM-002']],
  ])('%s → %j', (text, codes) => {
    expect(codesOf(text)).toEqual(codes);
  });

  it.each([
    ['la escavadora no gira', ['CAT-001', 'CAT-002']],
    ['la exavadora', ['CAT-001', 'CAT-002']],
    ['el camiom no frena', ['KOM-001', 'KOM-002']],
    ['la perforadoa', ['ATL-001']],
    ['la caterpilar', ['CAT-001', 'CAT-002']],
    ['el komatzu', ['KOM-001', 'KOM-002']],
    ['la liebher', ['LIE-001']],
    ['la jhon deere no avanza', ['JD-001']],
    ['la perfo no parte', ['ATL-001']],
    ['motonivelador no da marcha atras', ['JD-001']],
    ['la exca vadora', ['CAT-001', 'CAT-002']],
  ])('reads the typo or short form in %s', (text, codes) => {
    expect(codesOf(text)).toEqual(codes);
  });

  it('narrows ambiguous words with the ones next to them, and by a later precise mention', () => {
    expect(codesOf('la excavadora esta botando aceite, la 336')).toEqual(['CAT-002']);
    expect(codesOf('la excavadora, la CAT-002, pierde aceite')).toEqual(['CAT-002']);
  });

  it('needs a catalog for names', () => {
    expect(findEquipment('la excavadora 336 no gira', null)).toBeUndefined();
    expect(findEquipment('el volvo no arranca', [])).toBeUndefined();
  });

  it('reads any catalog, not a fixed list', () => {
    const other: CatalogEquipment[] = [
      { codigointerno: 'BUL-07', nombreequipo: 'Bulldozer Komatsu D375A', marca: 'Komatsu', modelo: 'D375A' },
      { codigointerno: 'RET-010', nombreequipo: 'Retroexcavadora JCB 3CX', marca: 'JCB', modelo: '3CX' },
    ];
    expect(codesOf('el bulldozer no avanza', other)).toEqual(['BUL-07']);
    expect(codesOf('la retro no levanta', other)).toEqual(['RET-010']);
    expect(codesOf('la jcb pierde aceite', other)).toEqual(['RET-010']);
    expect(findEquipment('bul 7 sin frenos', other)).toMatchObject({ codes: ['BUL-07'], code: 'BUL-07' });
    expect(codesOf('la excavadora no gira', other)).toEqual(['RET-010']);
    expect(codesOf('el camion no frena', other)).toBeUndefined();
  });
});

describe('findEquipment: no equipment where there is none', () => {
  it.each([
    'hola',
    'gracias',
    'prioridad 3',
    'la orden 18',
    'la orden 320 esta lista?',
    'estado de la OT-CORR-12',
    'ot-corr-cat-001-20261124170414-768',
    'hace 320 horas que no parte',
    'el motor volvio a fallar',
    'se volco el cargamento',
    'la rueda de atras esta pinchada',
    'la manguera esta perforada',
    'esta cargado de material',
    'la luz frontal esta quemada',
    'hay dos fugas en el motor',
    'la maquina no parte',
    'el equipo esta botando aceite',
    'la 2 no anda',
  ])('%s', (text) => {
    expect(findEquipment(text, catalog)).toBeUndefined();
  });

  it('does not read Spanish words as code prefixes without a catalog', () => {
    for (const text of [
      'la 336 bota aceite',
      'hace 2 horas',
      'hay dos fugas',
      'son 3 equipos',
      'ot 15',
      'eje 2 roto',
    ]) {
      expect(findEquipment(text, null)).toBeUndefined();
    }
  });
});
