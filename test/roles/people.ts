/** The demo CMMS's people the role flows sign in as (core/cmms/demo-users.ts; password = username). */
export const PEOPLE = {
  juan: { username: 'tecnico1', id: 10, fullName: 'Juan Pérez', role: 'Técnico' },
  maria: { username: 'tecnico2', id: 11, fullName: 'María González', role: 'Técnico' },
  pedro: { username: 'tecnico3', id: 12, fullName: 'Pedro Soto', role: 'Técnico' },
  carla: { username: 'tecnico4', id: 13, fullName: 'Carla Rojas', role: 'Técnico' },
  carolina: { username: 'supervisor1', id: 2, fullName: 'Carolina Muñoz', role: 'Supervisor' },
  diego: { username: 'operador1', id: 3, fullName: 'Diego Fuentes', role: 'Operador' },
  valentina: { username: 'solicitante1', id: 4, fullName: 'Valentina Reyes', role: 'Solicitante' },
} as const;

export type Person = (typeof PEOPLE)[keyof typeof PEOPLE];

/** Seed orders the flows act on. */
export const SEED = {
  /** Assigned to María González (Asignada): not Juan's. */
  mariasOrder: 'OT-PREV-3',
  /** Open, no technician. */
  unassigned: 'OT-PREV-4',
  /** Open, no technician (Crítica). */
  unassignedCritical: 'OT-CORR-CAT-002-20261124170414-768',
  /** Pendiente Aprobación, Carla Rojas's. */
  carlasOrder: 'OT-CORR-LIE-001-20261121101500-769',
} as const;

/** A literal text as a regular expression's source. */
export const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
