import type { Reply } from '../lib/reply.ts';

/**
 * The Spanish texts of the notifications' switch (merged into `replies`): "no quiero notificaciones",
 * "activar notificaciones" and "notificaciones" alone, for this chat. `linked`: the chat is linked to
 * a CMMS account (only linked chats are told of their orders' changes); `oneOrder`: the user asked
 * for one order, and the switch is for all of them.
 */

const TURN_OFF = 'Si no quieres recibir estos avisos, escribe "no quiero notificaciones".';
const TURN_ON = 'Si quieres volver a recibir los avisos, escribe "activar notificaciones".';
const NEEDS_LINK =
  'Los avisos de cambios en tus órdenes llegan cuando vinculas tu cuenta del CMMS: escribe "vincular cuenta".';
const ALL_ORDERS = 'Por ahora los avisos se activan o desactivan para todas tus órdenes, no para una sola. ';

const scope = (oneOrder: boolean) => (oneOrder ? ALL_ORDERS : '');

export const notificationSwitchReplies = {
  notificationsOff: (linked: boolean, oneOrder = false): Reply => ({
    text: linked
      ? `${scope(oneOrder)}Listo, en este chat ya no te avisaré cuando cambien tus órdenes de trabajo. ${TURN_ON}`
      : 'En este chat no hay avisos que desactivar: solo llegan cuando vinculas tu cuenta del CMMS.',
  }),
  notificationsOn: (linked: boolean, oneOrder = false): Reply => ({
    text: linked
      ? `${scope(oneOrder)}Listo, te avisaré en este chat cuando cambie el estado o el técnico de tus órdenes de trabajo. ${TURN_OFF}`
      : NEEDS_LINK,
  }),
  /** "notificaciones" alone: how this chat is set (`off`: the user turned them off) and how to change it. */
  notificationsInfo: (linked: boolean, off: boolean): Reply => ({
    text: !linked
      ? NEEDS_LINK
      : off
        ? `En este chat tienes los avisos desactivados: no te aviso cuando cambian tus órdenes de trabajo. ${TURN_ON}`
        : `En este chat te aviso cuando cambia el estado o el técnico de tus órdenes de trabajo. ${TURN_OFF}`,
  }),
};
