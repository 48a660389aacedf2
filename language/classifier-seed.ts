import type { TrainingExample } from './classifier-model.ts';

/**
 * A small hand-written corpus for the classifier's own tests (independent of the real corpus, which the
 * corpus writers own): a few phrasings per intent.
 */
const SEED: Record<string, string[]> = {
  report_failure: [
    'la excavadora CAT-002 tiene una fuga de aceite',
    'el camión no arranca',
    'reportar una falla en el cargador',
    'se echó a perder la perforadora',
    'está botando aceite la grúa',
    'el motor se calienta mucho',
  ],
  work_order_status: ['estado de la OT-CORR-1', '¿cómo va la OT 15?', 'consultar la orden 18', 'qué pasó con la OT-5'],
  pending_work_orders: ['ot pendientes', 'qué órdenes hay abiertas', 'ver las ordenes pendientes', 'listar las OT'],
  list_equipment: ['listar equipos', 'qué máquinas hay', 'ver la flota', 'muéstrame los equipos'],
  help: ['ayuda', 'qué puedes hacer', 'menú', 'cómo funciona esto', 'opciones'],
  greeting: ['hola', 'buenos días', 'buen día', 'buenas tardes', 'wena'],
  thanks: ['gracias', 'muchas gracias', 'te pasaste, gracias', 'se agradece'],
  farewell: ['chao', 'nos vemos', 'hasta mañana', 'me voy', 'adiós'],
  acknowledge: ['ok', 'ya po', 'dale', 'listo', 'perfecto', 'okis'],
  handoff: ['necesito un supervisor', 'quiero hablar con una persona', 'pásame con alguien', 'un humano por favor'],
  cancel: ['cancelar', 'olvídalo', 'salir', 'cancela eso'],
  link: ['vincular cuenta', 'iniciar sesión', 'quiero vincular mi cuenta'],
  unlink: ['desvincular mi cuenta', 'cerrar sesión', 'logout'],
  my_orders: ['mis ot', 'mis órdenes', 'ver mis ot'],
  my_assigned_orders: ['mis ot asignadas', 'las ot asignadas a mí', 'mis asignaciones'],
  my_pending: ['mis pendientes', 'qué tengo que hacer', 'qué tengo asignado'],
  unassigned_orders: ['ot sin asignar', 'órdenes sin técnico', 'qué ot no tienen técnico'],
  start_order: ['iniciar OT-CORR-1', 'empezar la ot 5', 'comenzar la orden 18'],
  complete_order: ['completar OT-CORR-1', 'terminé la ot 5', 'finalizar la orden 18'],
  assign_order: ['asignar OT-CORR-1 a Juan Pérez', 'pásale la OT 4 a María', 'reasignar la orden 18 a Pedro'],
  erase_data: ['borrar mis datos', 'elimina mis datos personales', 'quiero que borren mis datos'],
  notifications_off: ['no quiero notificaciones', 'desactivar avisos', 'no me mandes más avisos'],
  notifications_on: ['activar notificaciones', 'quiero recibir avisos', 'enciende las notificaciones'],
  notifications_info: ['notificaciones', 'estado de las notificaciones', 'mis avisos'],
  unknown: ['asdf qwerty', 'cuál es la capital de francia', 'me gusta el fútbol', 'jajaja'],
};

export const SEED_CORPUS: readonly TrainingExample[] = Object.entries(SEED).flatMap(([intent, texts]) =>
  texts.map((text) => ({ text, intent })),
);
