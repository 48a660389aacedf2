import { type EquipmentSummary, summarizeEquipment } from '../workflows/results.ts';

/** The demo CMMS's equipment and its catalogs, with the Somacor CMMS API's shapes and field names. */

export interface DemoEquipment {
  idequipo: number;
  codigointerno: string;
  nombreequipo: string;
  marca: string;
  modelo: string;
  anio: number;
  patente: string | null;
  idtipoequipo: number;
  tipo_equipo_nombre: string;
  idfaenaactual: number;
  faena_nombre: string;
  idestadoactual: number;
  estado_nombre: string;
  activo: boolean;
}

export const EQUIPMENT_STATES = ['Operativo', 'En Mantenimiento', 'Fuera de Servicio', 'En Reparación', 'Disponible'];
export const SITES = ['Faena Norte', 'Faena Sur', 'Taller Central'];
export const EQUIPMENT_TYPES = [
  'Excavadora',
  'Camión Minero',
  'Cargador Frontal',
  'Motoniveladora',
  'Grúa',
  'Perforadora',
];

/** The id of a catalog entry: its position, from 1. */
export const idOf = (list: string[], name: string) => list.indexOf(name) + 1;

function equipment(
  idequipo: number,
  codigointerno: string,
  nombreequipo: string,
  marca: string,
  modelo: string,
  tipo: string,
  faena: string,
  estado: string,
): DemoEquipment {
  return {
    idequipo,
    codigointerno,
    nombreequipo,
    marca,
    modelo,
    anio: 2018 + (idequipo % 6),
    patente: null,
    idtipoequipo: idOf(EQUIPMENT_TYPES, tipo),
    tipo_equipo_nombre: tipo,
    idfaenaactual: idOf(SITES, faena),
    faena_nombre: faena,
    idestadoactual: idOf(EQUIPMENT_STATES, estado),
    estado_nombre: estado,
    activo: true,
  };
}

export function demoEquipment(): DemoEquipment[] {
  return [
    equipment(1, 'CAT-001', 'Excavadora CAT 320', 'Caterpillar', '320', 'Excavadora', 'Faena Norte', 'Operativo'),
    equipment(2, 'CAT-002', 'Excavadora CAT 336', 'Caterpillar', '336', 'Excavadora', 'Faena Sur', 'En Mantenimiento'),
    equipment(3, 'KOM-001', 'Camión Komatsu 930E', 'Komatsu', '930E', 'Camión Minero', 'Faena Norte', 'Operativo'),
    equipment(4, 'KOM-002', 'Camión Komatsu 830E', 'Komatsu', '830E', 'Camión Minero', 'Faena Sur', 'En Reparación'),
    equipment(
      5,
      'VOL-001',
      'Cargador Frontal Volvo L350H',
      'Volvo',
      'L350H',
      'Cargador Frontal',
      'Faena Norte',
      'Operativo',
    ),
    equipment(
      6,
      'JD-001',
      'Motoniveladora John Deere 872G',
      'John Deere',
      '872G',
      'Motoniveladora',
      'Faena Sur',
      'Disponible',
    ),
    equipment(
      7,
      'LIE-001',
      'Grúa Liebherr LTM 1100',
      'Liebherr',
      'LTM 1100',
      'Grúa',
      'Taller Central',
      'Fuera de Servicio',
    ),
    equipment(
      8,
      'ATL-001',
      'Perforadora Atlas Copco D65',
      'Atlas Copco',
      'D65',
      'Perforadora',
      'Faena Norte',
      'Operativo',
    ),
  ];
}

/** The demo excavator as the workflows summarize it: the fixture tests and benchmarks share. */
export const DEMO_CAT_001: EquipmentSummary = summarizeEquipment(
  demoEquipment()[0] as unknown as Record<string, unknown>,
);
