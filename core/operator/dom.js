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

/** "1 evento", "3 eventos". */
export const plural = (count, one, many) => `${count} ${count === 1 ? one : many}`;

/**
 * Who a conversation is with, in one short line: the user's name when the channel gave one; a browser
 * chat (`web:~<uuid>`) "Visitante web · 871b5b"; a phone or chat number its channel and last 4 digits
 * ("WhatsApp · …5678"); any other id its channel and address. The full id goes in a tooltip.
 */
export function displayName(id, channel, userName) {
  if (userName) return userName;
  const address = id.slice(id.indexOf(':') + 1);
  if (channel === 'web' && address.startsWith('~')) return `Visitante web · ${address.slice(1, 7)}`;
  const digits = address.replace(/\D/g, '');
  if (channel !== 'web' && digits.length >= 4) return `${channelName(channel)} · …${digits.slice(-4)}`;
  const short = address.length > 18 ? `${address.slice(0, 17)}…` : address;
  return `${channelName(channel)} · ${short}`;
}

const ERROR_TEXT = {
  UNAUTHENTICATED: 'El token no es válido.',
  FORBIDDEN: 'Ese token no da acceso a la consola: pide el token de administrador a quien administra omnibot.',
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
