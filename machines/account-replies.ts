import type { LinkedIdentity } from '../core/identity/types.ts';
import type { Reply } from '../lib/reply.ts';
import type { LinkReason } from './conversation/types.ts';
import { capabilities } from './menu.ts';

/** The Spanish texts of the linked account and of personal data (merged into `replies`). */

const who = (identity: LinkedIdentity) => `${identity.fullName} (${identity.role})`;

const LINK_INTRO: Record<LinkReason, string> = {
  asked: '',
  report: 'Para reportar una falla necesito saber quién eres, así el reporte queda a tu nombre en el CMMS. ',
  needed: 'Para eso necesito saber quién eres en el CMMS. ',
  expired: 'Tu sesión del CMMS ya no es válida (por ejemplo, cerraste sesión en el CMMS o cambió tu contraseña). ',
};

/** Why the request cannot go on when this conversation may not link (an open web REST sender). */
const NOT_ALLOWED_INTRO: Record<LinkReason, string> = {
  asked: 'Desde este acceso no puedo vincular cuentas del CMMS.',
  report:
    'Para reportar una falla necesito tu cuenta del CMMS vinculada, pero desde este acceso no puedo vincular cuentas, así que no registré el reporte.',
  needed:
    'Para eso necesito tu cuenta del CMMS vinculada, pero desde este acceso no puedo vincular cuentas, así que dejé tu solicitud.',
  expired:
    'Tu sesión del CMMS ya no es válida y desde este acceso no puedo vincular cuentas, así que dejé tu solicitud.',
};
const LINKING_CHANNELS = 'el chat web de la página del asistente, WhatsApp, Telegram o SMS';

/** How each channel is named in "Reportado por Juan Pérez vía WhatsApp". */
const CHANNEL_NAMES: ReadonlyMap<string, string> = new Map([
  ['whatsapp', 'WhatsApp'],
  ['telegram', 'Telegram'],
  ['sms', 'SMS'],
  ['web', 'el chat web'],
]);

/** `reportar_falla`'s `reportado_por`: who reported the failure and on which channel. */
export function reportedBy(name: string | undefined, channel: string | undefined): string {
  const via = CHANNEL_NAMES.get(channel ?? '') ?? 'el asistente';
  return `Reportado por ${name?.trim() || 'un usuario'} vía ${via}`;
}

export const accountReplies = {
  /**
   * The one-time link; `resumes`: the user's request goes on once they link; `fresh`: a new link the
   * user asked for while one was awaited (the reason is not said again).
   */
  linkIssued: (reason: LinkReason, url: string, resumes: boolean, fresh = false): Reply => ({
    text:
      (fresh
        ? `Aquí tienes un enlace nuevo para vincular tu cuenta del CMMS (válido 10 minutos, de un solo uso): ${url}. `
        : `${LINK_INTRO[reason]}Para vincular tu cuenta del CMMS abre este enlace (válido 10 minutos, de un solo uso): ${url}. `) +
      'Ahí ingresas tu usuario y contraseña; nunca me los escribas en el chat.' +
      (!resumes
        ? ''
        : reason === 'expired'
          ? ' Cuando termines, vuelvo a intentar tu solicitud.'
          : ' Cuando termines, sigo con tu solicitud.'),
  }),
  /** The gateway refused to link this conversation (`link_not_allowed`); a request that needed it is dropped. */
  linkNotAllowed: (reason: LinkReason): Reply => ({
    text:
      reason === 'asked'
        ? `${NOT_ALLOWED_INTRO.asked} Usa ${LINKING_CHANNELS}.`
        : `${NOT_ALLOWED_INTRO[reason]} Para vincular tu cuenta, usa ${LINKING_CHANNELS}.`,
  }),
  linkFailed: (): Reply => ({
    text: 'No pude generar el enlace para vincular tu cuenta en este momento. Intenta de nuevo en unos minutos escribiendo "vincular cuenta".',
  }),
  alreadyLinked: (identity: LinkedIdentity): Reply => ({
    text: `Ya estás vinculado como ${who(identity)}. Si quieres usar otra cuenta, escribe "cerrar sesión" y luego "vincular cuenta".`,
  }),
  /** Said on the user's channel once they linked; `continuing`: their request follows. */
  linked: (identity: LinkedIdentity, continuing: boolean): Reply => ({
    text: continuing
      ? `Listo, ${who(identity)}: tu cuenta quedó vinculada. Sigo con tu solicitud.`
      : `Listo, ${who(identity)}: tu cuenta quedó vinculada. Ahora puedo ayudarte con:\n${capabilities(identity)}`,
  }),
  waitingForLink: (): Reply => ({
    text: 'Sigo esperando que vincules tu cuenta con el enlace que te envié; cuando termines, sigo con tu solicitud. Escribe "vincular cuenta" si necesitas un enlace nuevo o "cancelar" para dejarlo.',
  }),
  /** Said before another action is handled while a link was awaited: the request that needed it is dropped. */
  linkRequestDropped: (): Reply => ({
    text: 'Dejé sin hacer tu solicitud anterior (esperaba que vincularas tu cuenta).',
  }),
  linkAbandoned: (): Reply => ({
    text: 'Listo, dejé tu solicitud. Puedes vincular tu cuenta cuando quieras escribiendo "vincular cuenta".',
  }),
  unlinked: (hadLink: boolean): Reply => ({
    text: hadLink
      ? 'Listo, desvinculé tu cuenta del CMMS de este chat. Escribe "vincular cuenta" cuando quieras vincularla de nuevo.'
      : 'No tienes una cuenta del CMMS vinculada a este chat. Escribe "vincular cuenta" para vincularla.',
  }),
  unlinkFailed: (): Reply => ({
    text: 'No pude desvincular tu cuenta en este momento. Intenta de nuevo en unos minutos.',
  }),
  unlinkedByAdmin: (): Reply => ({
    text: 'Un administrador desvinculó tu cuenta del CMMS de este chat. Escribe "vincular cuenta" para vincularla de nuevo.',
  }),
  askErase: (): Reply => ({
    text: 'Voy a borrar tus datos de este chat: el vínculo con tu cuenta del CMMS (si lo hay), la transcripción y el historial de esta conversación. Las órdenes de trabajo que ya creaste quedan en el CMMS. ¿Confirmas?',
    buttons: [
      { id: 'confirm:yes', title: 'Sí, borrar' },
      { id: 'confirm:no', title: 'No borrar' },
    ],
  }),
  invalidEraseConfirmation: (): Reply => ({ text: 'Responde "sí" para borrar tus datos o "no" para conservarlos.' }),
  erased: (): Reply => ({
    text: 'Listo, borré tus datos de este chat: el vínculo con tu cuenta, la transcripción y el historial. Si me vuelves a escribir, empezamos de cero.',
  }),
  eraseDeclined: (): Reply => ({ text: 'No borré nada. ¿En qué más te ayudo?' }),
  eraseLeft: (): Reply => ({ text: 'No borré nada.' }),
};
