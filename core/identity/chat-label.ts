import { BROWSER_ADDRESS_PREFIX, splitConversationId } from '../types.ts';

/** How many characters of the address are shown (never the whole phone number or chat id). */
const SHOWN = 4;

/** Each channel's name in a sentence, for a chat of its own (`mine`) and for another one (`other`). */
const CHANNELS: Record<string, { mine: string; other: string }> = {
  whatsapp: { mine: 'tu chat de WhatsApp', other: 'un chat de WhatsApp' },
  telegram: { mine: 'tu chat de Telegram', other: 'un chat de Telegram' },
  sms: { mine: 'tus mensajes SMS del número', other: 'los mensajes SMS del número' },
  web: { mine: 'el chat web del usuario', other: 'el chat web del usuario' },
};

/**
 * Which chat a link is for, in Spanish, so a person can tell theirs from someone else's (a link
 * forwarded by another person would link THAT person's chat): the channel and the last 4 characters
 * of the address ("tu chat de WhatsApp terminado en …4567"). A browser chat of the web page has no
 * address worth showing: "este chat web" (`other`: "un chat web"). `mine` reads "Vas a vincular
 * <mine>", `other` reads "se vinculó también a <other>".
 */
export function chatOf(conversationId: string): { mine: string; other: string } {
  const { channel, address } = splitConversationId(conversationId);
  if (channel === 'web' && address.startsWith(BROWSER_ADDRESS_PREFIX)) {
    return { mine: 'este chat web', other: 'un chat web' };
  }
  const names = Object.hasOwn(CHANNELS, channel)
    ? CHANNELS[channel]!
    : { mine: `tu chat de ${channel}`, other: `un chat de ${channel}` };
  const end = `terminado en …${[...address].slice(-SHOWN).join('')}`;
  return { mine: `${names.mine} ${end}`, other: `${names.other} ${end}` };
}
