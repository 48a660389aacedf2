import type { LinkedIdentity } from '../core/identity/types.ts';
import type { Reply } from '../lib/reply.ts';
import { roleGroup } from './roles.ts';

/**
 * What the assistant offers, shaped by who writes (part of the replies): the capability list of the
 * greeting, help and unknown answers, and the greeting's buttons. `identity`: the live link, or null.
 */

type Line = readonly [text: string, who: (identity: LinkedIdentity | null) => boolean];

const anyone = () => true;
const linked = (i: LinkedIdentity | null) => i !== null;
const technician = (i: LinkedIdentity | null) => i !== null && roleGroup(i.role) === 'technician';
const supervisor = (i: LinkedIdentity | null) => i !== null && roleGroup(i.role) === 'supervisor';

const LINES: readonly Line[] = [
  ['• Reportar una falla: "reportar falla"', anyone],
  ['• Consultar el estado de una OT: "estado de OT-CORR-1"', anyone],
  ['• Ver tus órdenes de trabajo: "mis OT"', linked],
  ['• Ver las OT asignadas a ti: "mis OT asignadas"', technician],
  ['• Iniciar una OT: "iniciar OT-CORR-1"', technician],
  ['• Completar una OT: "completar OT-CORR-1"', technician],
  ['• Ver las OT sin técnico: "OT sin asignar"', supervisor],
  ['• Asignar una OT: "asignar OT-CORR-1 a Juan Pérez"', supervisor],
  ['• Listar los equipos: "listar equipos"', anyone],
  ['• Ver las órdenes pendientes: "OT pendientes"', anyone],
  ['• Hablar con una persona: "hablar con un supervisor"', (i) => !supervisor(i)],
  ['• Hablar con una persona: "hablar con una persona"', supervisor],
  ['• Vincular tu cuenta del CMMS: "vincular cuenta"', (i) => i === null],
  ['• Avisos de cambios en tus OT: "no quiero notificaciones" o "activar notificaciones"', linked],
  ['• Desvincular tu cuenta: "cerrar sesión"', linked],
  ['• Borrar tus datos de este chat: "borrar mis datos"', anyone],
  ['• Cancelar lo que estés haciendo: "cancelar"', anyone],
];

/** The bullet list of what this user may ask for. */
export function capabilities(identity: LinkedIdentity | null): string {
  return LINES.filter(([, who]) => who(identity))
    .map(([text]) => text)
    .join('\n');
}

const button = (intent: string, title: string) => ({ id: `intent:${intent}`, title });
const REPORT = button('report_failure', 'Reportar una falla');
const STATUS = button('work_order_status', 'Estado de una OT');
const MY_ORDERS = button('my_orders', 'Mis OT');

/** The greeting's buttons: the main actions of the user's role. */
export function menuButtons(identity: LinkedIdentity | null): NonNullable<Reply['buttons']> {
  if (identity === null) {
    return [REPORT, STATUS, button('list_equipment', 'Listar equipos'), button('link', 'Vincular cuenta')];
  }
  switch (roleGroup(identity.role)) {
    case 'technician':
      return [button('my_assigned_orders', 'Mis OT asignadas'), MY_ORDERS, REPORT, STATUS];
    case 'supervisor':
      return [button('unassigned_orders', 'OT sin asignar'), MY_ORDERS, REPORT, STATUS];
    case 'member':
      return [REPORT, MY_ORDERS, STATUS, button('list_equipment', 'Listar equipos')];
  }
}
