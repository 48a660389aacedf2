import { type EquipmentSummary, summarizeEquipment } from '../workflows/results.ts';
/**
 * The embedded demo data set: the same shapes and field names as the Somacor CMMS API, so one
 * `CmmsClient` code path serves the demo and the real system.
 */

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

export interface DemoWorkOrder {
  idordentrabajo: number;
  numeroot: string;
  idequipo: number;
  equipo_nombre: string;
  idplanorigen: number | null;
  plan_nombre: string | null;
  idtipomantenimientoot: number;
  tipo_mantenimiento_nombre: string;
  idestadoot: number;
  estado_nombre: string;
  fechacreacionot: string;
  fechaemision: string | null;
  fechaejecucion: string | null;
  fechacompletado: string | null;
  idsolicitante: number | null;
  solicitante_nombre: string | null;
  idtecnicoasignado: number | null;
  tecnico_nombre: string | null;
  horometro: number | null;
  prioridad: 'Baja' | 'Media' | 'Alta' | 'Crítica';
  descripcionproblemareportado: string | null;
  fechareportefalla: string | null;
  observacionesfinales: string | null;
  tiempototalminutos: number | null;
  actividades: unknown[];
}

export const WORK_ORDER_STATES = [
  'Abierta',
  'Asignada',
  'En Progreso',
  'Completada',
  'Cancelada',
  'Pendiente Aprobación',
];
export const MAINTENANCE_TYPES = ['Preventivo', 'Correctivo', 'Predictivo', 'Mejorativo'];
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

const idOf = (list: string[], name: string) => list.indexOf(name) + 1;

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

const TECHNICIANS = ['Juan Pérez', 'María González', 'Pedro Soto', 'Carla Rojas'];

function order(
  idordentrabajo: number,
  numeroot: string,
  eq: DemoEquipment,
  tipo: string,
  estado: string,
  prioridad: DemoWorkOrder['prioridad'],
  tecnico: string | null,
  creada: string,
  descripcion: string | null,
): DemoWorkOrder {
  return {
    idordentrabajo,
    numeroot,
    idequipo: eq.idequipo,
    equipo_nombre: eq.nombreequipo,
    idplanorigen: tipo === 'Preventivo' ? 1 : null,
    plan_nombre: tipo === 'Preventivo' ? `Plan 250 h ${eq.tipo_equipo_nombre}` : null,
    idtipomantenimientoot: idOf(MAINTENANCE_TYPES, tipo),
    tipo_mantenimiento_nombre: tipo,
    idestadoot: idOf(WORK_ORDER_STATES, estado),
    estado_nombre: estado,
    fechacreacionot: creada,
    fechaemision: creada,
    fechaejecucion: null,
    fechacompletado: estado === 'Completada' ? creada : null,
    idsolicitante: 2,
    solicitante_nombre: 'Supervisor Demo',
    idtecnicoasignado: tecnico ? TECHNICIANS.indexOf(tecnico) + 10 : null,
    tecnico_nombre: tecnico,
    horometro: 1000 + idordentrabajo * 37,
    prioridad,
    descripcionproblemareportado: descripcion,
    fechareportefalla: tipo === 'Correctivo' ? creada : null,
    observacionesfinales: null,
    tiempototalminutos: estado === 'Completada' ? 90 : null,
    actividades: [],
  };
}

/**
 * 55 finished historical orders first (so the well-known ones sit on page 2 of 50 and a lookup must
 * follow the pagination), then the orders the README and tests use.
 */
export function demoWorkOrders(equipmentList = demoEquipment()): DemoWorkOrder[] {
  const eq = (code: string) => equipmentList.find((e) => e.codigointerno === code)!;
  const orders: DemoWorkOrder[] = [];
  for (let i = 1; i <= 55; i++) {
    const e = equipmentList[i % equipmentList.length]!;
    const day = String((i % 28) + 1).padStart(2, '0');
    orders.push(
      order(
        i,
        `OT-PREV-${e.codigointerno}-202609${day}080000-${i}`,
        e,
        'Preventivo',
        'Completada',
        'Media',
        TECHNICIANS[i % 4]!,
        `2026-09-${day}T08:00:00Z`,
        null,
      ),
    );
  }
  let id = 55;
  orders.push(
    order(
      ++id,
      'OT-CORR-1',
      eq('CAT-001'),
      'Correctivo',
      'En Progreso',
      'Alta',
      'Juan Pérez',
      '2026-11-20T14:30:00Z',
      'Fuga de aceite hidráulico en el cilindro del brazo',
    ),
    order(
      ++id,
      'OT-CORR-2',
      eq('KOM-002'),
      'Correctivo',
      'Completada',
      'Crítica',
      'Pedro Soto',
      '2026-11-10T09:15:00Z',
      'Motor de tracción con sobretemperatura',
    ),
    order(
      ++id,
      'OT-PREV-3',
      eq('KOM-001'),
      'Preventivo',
      'Asignada',
      'Media',
      'María González',
      '2026-11-22T07:00:00Z',
      null,
    ),
    order(++id, 'OT-PREV-4', eq('VOL-001'), 'Preventivo', 'Abierta', 'Baja', null, '2026-11-23T07:00:00Z', null),
    order(
      ++id,
      'OT-CORR-CAT-002-20261124170414-768',
      eq('CAT-002'),
      'Correctivo',
      'Abierta',
      'Crítica',
      null,
      '2026-11-24T17:04:14Z',
      'Rotura de manguera hidráulica principal',
    ),
    order(
      ++id,
      'OT-CORR-LIE-001-20261121101500-769',
      eq('LIE-001'),
      'Correctivo',
      'Pendiente Aprobación',
      'Alta',
      'Carla Rojas',
      '2026-11-21T10:15:00Z',
      'Falla en el sistema de control de carga',
    ),
  );
  return orders;
}

/** The demo excavator as the workflows summarize it: the fixture tests and benchmarks share. */
export const DEMO_CAT_001: EquipmentSummary = summarizeEquipment(
  demoEquipment()[0] as unknown as Record<string, unknown>,
);
