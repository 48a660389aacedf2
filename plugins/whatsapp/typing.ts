import { recentIds } from '../../core/delivery/recent-ids.ts';
import { RateLimitError, UpstreamError } from '../../core/errors.ts';
import type { Logger } from '../../core/log.ts';
import type { WhatsAppClient } from './send.ts';

/**
 * Marks a user's message read and shows "typing…" until the reply (or 25 s), best effort: never
 * throws, never delays the message; a failure is only logged (warn when WhatsApp refused it, debug
 * when it could not be reached). A message Meta delivers twice is marked once per process.
 */
export function createReadMarker(client: WhatsAppClient, logger: () => Logger) {
  const marked = recentIds<string>(1000);
  return async function markRead(conversationId: string, messageId: string): Promise<void> {
    if (!marked(messageId)) return;
    try {
      await client.markRead(messageId);
    } catch (error) {
      const fields = { conversationId, messageId, err: error };
      const refused =
        error instanceof RateLimitError || (error instanceof UpstreamError && error.details?.['upstreamStatus']);
      if (refused) logger().warn(fields, 'WhatsApp read receipt and typing indicator refused');
      else logger().debug(fields, 'WhatsApp read receipt and typing indicator not sent');
    }
  };
}
