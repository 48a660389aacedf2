import { type DemoEquipment, demoEquipment, idOf } from './demo-equipment.ts';
import { DEMO_USERS, type DemoUser, fullName, userNamed } from './demo-users.ts';

/**
 * The embedded demo data set: the same shapes and field names as the Somacor CMMS API, so one
 * `CmmsClient` code path serves the demo and the real system.
 */

export {
  DEMO_CAT_001,
  type DemoEquipment,
  demoEquipment,
  EQUIPMENT_STATES,
  EQUIPMENT_TYPES,
  SITES,
} from './demo-equipment.ts';

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

/** The demo's technicians (`tecnico1`…`tecnico4`), by full name. */
const TECHNICIANS = DEMO_USERS.filter((u) => u.role === 'Técnico').map(fullName);
const byUsername = (username: string) => DEMO_USERS.find((u) => u.username === username)!;
/** Operators report failures; supervisors issue the planned orders. */
const requesterOf = (tipo: string): DemoUser => byUsername(tipo === 'Correctivo' ? 'operador1' : 'supervisor1');

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
    idsolicitante: requesterOf(tipo).id,
    solicitante_nombre: fullName(requesterOf(tipo)),
    idtecnicoasignado: tecnico ? userNamed(tecnico)!.id : null,
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
    // Assigned to tecnico1 and not started: the technician's "iniciar" / "completar" in the README.
    order(
      ++id,
      'OT-PREV-5',
      eq('CAT-001'),
      'Preventivo',
      'Asignada',
      'Media',
      'Juan Pérez',
      '2026-11-25T07:00:00Z',
      'Mantención de 250 horas',
    ),
  );
  return orders;
}
