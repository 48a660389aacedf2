// Small DOM helpers of the operator console. Every text is set with textContent: no HTML is parsed.

export const $ = (id) => document.getElementById(id);

/** An element with a class and its children (strings become text nodes). */
export function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/** Shows `text` in an alert/status element, or hides it when empty. */
export function say(element, text) {
  element.textContent = text ?? '';
  element.hidden = !text;
}

/** "14:05" today, "24/11 14:05" another day (24-hour clock); the seconds too when asked. */
export function timeOf(iso, { seconds = false } = {}) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const time = date.toLocaleTimeString('es-CL', {
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  });
  if (date.toDateString() === new Date().toDateString()) return time;
  return `${date.toLocaleDateString('es-CL', { day: '2-digit', month: '2-digit' })} ${time}`;
}

const CHANNEL_NAMES = { web: 'Web', whatsapp: 'WhatsApp', telegram: 'Telegram', sms: 'SMS' };

export const channelName = (channel) => CHANNEL_NAMES[channel] ?? channel;

const ERROR_TEXT = {
  UNAUTHENTICATED: 'El token no es válido.',
  FORBIDDEN: 'Ese token no es el de administrador (o el gateway no tiene ADMIN_TOKEN configurado).',
  NOT_FOUND: 'No encontré esa conversación.',
  CONFLICT: 'La conversación ya no espera a una persona.',
  BAD_USER_INPUT: 'Revisa lo que escribiste: el servidor no lo aceptó.',
  RATE_LIMITED: 'Demasiadas solicitudes seguidas. Espera un momento e inténtalo de nuevo.',
  UNAVAILABLE: 'El gateway no está disponible en este momento. Inténtalo de nuevo en unos segundos.',
  NETWORK: 'No pude conectar con el gateway. Revisa tu conexión.',
};

/** The operator's Spanish text for a failed call. */
export const errorText = (error) =>
  ERROR_TEXT[error?.code] ?? `Algo falló (${error?.code ?? 'error'}). Inténtalo de nuevo.`;
