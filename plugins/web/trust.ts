import { BROWSER_ADDRESS_PREFIX, splitConversationId } from '../../core/types.ts';
import { CHANNEL } from './parse.ts';

/**
 * Whether the web channel vouches for who writes in a conversation (the identity service's `trusts`:
 * only a trusted conversation may hold a CMMS link and act as its person).
 * - Browser chats `web:~<uuid>`: trusted. Only the GraphQL client holding the conversation's token
 *   writes there, and no REST `user_id` can hold `~`.
 * - REST conversations `web:<user_id>`: trusted only with WEB_API_KEY (the backend that holds the key
 *   vouches for its users). Without it anyone may post any `user_id`: were `web:juan` linked, anyone
 *   posting as "juan" would act as Juan, so they never get an identity and cannot link.
 * Other channels are not the web's to judge (their platforms sign what they send): trusted here.
 */
export function webSenderTrust(apiKey: string | undefined): (conversationId: string) => boolean {
  return (conversationId) => {
    const { channel, address } = splitConversationId(conversationId);
    if (channel !== CHANNEL) return true;
    return address.startsWith(BROWSER_ADDRESS_PREFIX) || Boolean(apiKey);
  };
}
