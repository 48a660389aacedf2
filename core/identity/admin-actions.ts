import { ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import { LinkRefusedError } from './errors.ts';
import { checkConversationId } from './service.ts';
import type { IdentityService, LinkedIdentity } from './types.ts';

export type AdminRuntime = Pick<ConversationRuntime, 'identityLinked' | 'identityUnlinked' | 'erase'>;

/** What the admin REST API and admin GraphQL do with identities (they only check input and shape answers). */
export function identityAdminActions(identity: IdentityService, runtime: AdminRuntime, logger: Logger) {
  /** Tells the conversation; false when it could not (e.g. no conversation yet: the link stays). */
  const tell = async (conversationId: string, turn: () => Promise<unknown>): Promise<boolean> => {
    try {
      await turn();
      return true;
    } catch (error) {
      logger.warn({ conversationId, err: error }, 'admin: the conversation could not be told');
      return false;
    }
  };

  return {
    list: () => identity.list(),

    /** Links at once with the user's CMMS credentials; a refused login is a 400. */
    async link(conversationId: string, username: string, password: string) {
      checkConversationId(conversationId);
      let linked: LinkedIdentity;
      try {
        linked = await identity.linkWithPassword(conversationId, username, password);
      } catch (error) {
        if (error instanceof LinkRefusedError) {
          throw new ValidationError('the CMMS refused the username or password', { reason: 'link_refused' });
        }
        throw error;
      }
      const notified = await tell(conversationId, () => runtime.identityLinked(conversationId, linked));
      logger.info({ conversationId, cmmsUserId: linked.cmmsUserId }, 'admin: account linked');
      return { identity: linked, notified };
    },

    issue(conversationId: string) {
      checkConversationId(conversationId);
      return identity.issueLink(conversationId);
    },

    /** False when there was no link. */
    async unlink(conversationId: string) {
      if (!(await identity.unlink(conversationId))) return { unlinked: false, notified: false };
      const notified = await tell(conversationId, () => runtime.identityUnlinked(conversationId));
      logger.info({ conversationId }, 'admin: account unlinked');
      return { unlinked: true, notified };
    },

    /** Erases one conversation, or every conversation linked to a CMMS user: the erased ids. */
    async erase(target: { conversationId?: string; cmmsUserId?: number }): Promise<string[]> {
      const ids =
        target.conversationId !== undefined
          ? [checkConversationId(target.conversationId)]
          : await identity.conversationsOf(target.cmmsUserId!);
      for (const conversationId of ids) {
        await runtime.erase(conversationId);
        await identity.unlink(conversationId); // the runtime's erase unlinks too; this makes sure
      }
      logger.info({ conversations: ids.length, cmmsUserId: target.cmmsUserId }, 'admin: personal data erased');
      return ids;
    },
  };
}

export type IdentityAdminActions = ReturnType<typeof identityAdminActions>;
