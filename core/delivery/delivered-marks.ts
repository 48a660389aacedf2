import type { Logger } from '../log.ts';
import { createMemoryDeliveryMarks, type DeliveryMarks } from '../store/delivery-marks.ts';

/**
 * What the dispatcher knows of each conversation's newest delivery: this process's own marks at
 * once, and the shared ones (other processes') when given. A shared store that fails is logged and
 * read as "nothing newer": a dead letter is rather sent than lost.
 */
export function createDeliveredMarks(shared: DeliveryMarks | undefined, logger: Logger) {
  const local = createMemoryDeliveryMarks();
  return {
    /** Records a delivery: here before the caller resumes; the promise settles once the shared marks have it (never rejects). */
    record(conversationId: string, order: number): Promise<void> {
      void local.record(conversationId, order);
      if (!shared) return Promise.resolve();
      return shared.record(conversationId, order).catch((error: unknown) => {
        logger.warn({ conversationId, err: error }, 'last delivery not recorded in the shared marks');
      });
    },

    /** The order of a newer message delivered in the conversation, or null (also when the shared marks cannot tell). */
    async newerThan(conversationId: string, order: number): Promise<number | null> {
      const own = await local.latest(conversationId);
      if (own !== null && own > order) return own;
      if (!shared) return null;
      try {
        const theirs = await shared.latest(conversationId);
        return theirs !== null && theirs > order ? theirs : null;
      } catch (error) {
        logger.warn({ conversationId, err: error }, 'last delivery not readable: retrying the dead letter');
        return null;
      }
    },
  };
}

export type DeliveredMarks = ReturnType<typeof createDeliveredMarks>;
