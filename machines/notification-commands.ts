/**
 * The switch of the order-change notifications, read only when the whole message is the command
 * ("no quiero notificaciones", "activar avisos por favor", "no más notificaciones de la OT-CORR-1"):
 * a failure's description or a completion's observations that mention notices ("apagar avisos no
 * funciona", "silencia avisos de la alarma") stay answers. Matched on folded text (see `normalize`).
 */

export type NotificationIntent = 'notifications_off' | 'notifications_on' | 'notifications_info';

export interface NotificationCommand {
  intent: NotificationIntent;
  /** The switch was asked for one order ("… de la OT-CORR-1"): it applies to all of them. */
  oneOrder?: true;
}

const ARTICLE = '(?:(?:las|los|mis|estas|estos|tus) )?';
const NOUNS = `${ARTICLE}(?:notificaciones|notificacion|avisos|aviso|alertas)`;
/** Plural only where the singular reads as something else ("sin aviso": without warning). */
const PLURAL = `${ARTICLE}(?:notificaciones|avisos|alertas)`;
const MORE = '(?:mas )?';
/** Longer than the longest command with its fillers ("hola, ya no quiero más notificaciones de la OT-…"). */
const MAX_LENGTH = 160;

/** Words around the command that change nothing: "hola, ya no quiero notificaciones, gracias". */
const LEAD = '(?:(?:hola|oye|ok|bueno|porfa|porfavor|por favor|ya|y) )*';
const TAIL =
  '(?: (?:por favor|porfa|porfavor|gracias|mas|nunca mas|de nuevo|otra vez|nuevamente|en este chat|por aqui|por aca|por este chat|por este medio|(?:de|por|en) (?:whatsapp|telegram|sms)))*';
/** "… de la OT-CORR-1", "… de esta orden": a switch for one order, which does not exist. */
const ONE_ORDER =
  ' (?:de|para|sobre) (?:la |las |esta |esa |el |mis )?(?:ot|ots|orden|ordenes)(?:[ -]?[a-z0-9]+(?:-[a-z0-9]+)*)?';

const OFF = [
  `no (?:quiero|kiero|qiero|deseo|necesito|me interesan?) (?:recibir |tener |que me (?:envies|mandes|lleguen) )?${MORE}${NOUNS}`,
  `no me (?:envies|mandes|mandis|manden|envien) ${MORE}${NOUNS}`,
  'no me (?:avises|avisen|notifiques|notifiquen)',
  `(?:desactivar|desactiva|desactivame|desactiven|deshabilitar|deshabilita|apagar|apaga|apaguen|silenciar|silencia|silencien|mutear|mutea|quitar|quita|quitame|quiten|detener|deten|parar|para|paren|pausar|pausa|cancelar|cancela|suspender|suspende|bloquear) ${NOUNS}`,
  `(?:(?:deja|dejen|dejar) de (?:enviarme|mandarme|enviar|mandar|recibir)|no recibir) ${NOUNS}`,
  `(?:sacame|sacarme|quitame|borrame) de ${NOUNS}`,
  `(?:sin|no mas|basta de|nada de|stop) ${PLURAL}`,
  `${PLURAL} off`,
];
const ON = [
  `(?:activar|activa|activame|activen|reactivar|reactiva|encender|enciende|enciendan|prender|prende|prendan|habilitar|habilita|habiliten) ${NOUNS}`,
  `(?:si )?(?:quiero|kiero|deseo|necesito) (?:volver a )?(?:recibir |tener )?${NOUNS}`,
  `(?:vuelve a |vuelvan a )?(?:mandame|enviame|mandarme|enviarme|mandenme|envienme) ${NOUNS}`,
  `(?:volver a )?recibir ${NOUNS}`,
  `${PLURAL} on`,
];
/** "notificaciones", "¿mis avisos?", "estado de las notificaciones": what the setting is. */
const STATES = '(?:activad[oa]s|activ[oa]s|prendid[oa]s|encendid[oa]s|apagad[oa]s|desactivad[oa]s)';
const INFO = [
  `(?:(?:estado|configuracion|ajuste|ajustes|info|informacion) de )?${PLURAL}`,
  // "¿tengo las alertas prendidas?", "¿están activados mis avisos?": a question about the switch.
  `(?:tengo |estan )?${PLURAL} (?:estan )?${STATES}`,
  `(?:tengo|estan) ${STATES} ${PLURAL}`,
  `para que (?:son|sirven) ${PLURAL}`,
];

const whole = (cores: string[], oneOrder: boolean) =>
  new RegExp(`^${LEAD}(?:${cores.join('|')})(${oneOrder ? ONE_ORDER : '(?!)'})?${TAIL}$`);
const OFF_COMMAND = whole(OFF, true);
const ON_COMMAND = whole(ON, true);
const INFO_COMMAND = whole(INFO, false);

/** The folded text without punctuation or quotes (a user may copy `"no quiero notificaciones"` whole). */
const bare = (folded: string) =>
  folded
    .replace(/[¿?¡!.,;:"'“”«»()]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** The notifications' command the whole folded message is; undefined for anything else. */
export function notificationCommand(folded: string): NotificationCommand | undefined {
  const text = bare(folded);
  // A command is short; anything longer is not read at all.
  if (text.length > MAX_LENGTH) return undefined;
  // Off first: "no quiero notificaciones" contains "quiero notificaciones".
  for (const [intent, pattern] of [
    ['notifications_off', OFF_COMMAND],
    ['notifications_on', ON_COMMAND],
    ['notifications_info', INFO_COMMAND],
  ] as const) {
    const match = pattern.exec(text);
    if (match) return match[1] ? { intent, oneOrder: true } : { intent };
  }
  return undefined;
}
