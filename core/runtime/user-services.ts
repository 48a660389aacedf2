import { foldText } from '../../lib/fold-text.ts';
import type { CmmsUserSummary } from '../../workflows/cmms.ts';
import { UpstreamError } from '../errors.ts';
import { IdentityExpiredError } from '../identity/errors.ts';
import type { ConversationServices } from './model.ts';
import type { RuntimeCmms, RuntimeSettings } from './options.ts';

/** The CMMS role whose users `findTechnicians` lists. */
const TECHNICIAN_ROLE = 'tecnico';

type UserServices = Pick<ConversationServices, 'issueLink' | 'unlinkIdentity' | 'findWorkOrder' | 'findTechnicians'>;

/**
 * The invoked actors about who writes: the link (issue, remove) and the CMMS lookups made as the
 * linked user (their own token: the CMMS applies their permissions), else as the service account.
 */
export function userServices(settings: RuntimeSettings): UserServices {
  const { identity, cmms, logger } = settings;

  /**
   * Runs a CMMS call as the conversation's user when it has a live link. The CMMS refusing the
   * user's token (a logout, an expired session) marks the link expired and fails with
   * `identity_expired` (the machine asks the user to link again).
   */
  async function asTheUser<T>(
    conversationId: string,
    call: (client: Pick<RuntimeCmms, 'findWorkOrder' | 'listUsers'>) => Promise<T>,
  ) {
    // The token read is of a link made by now: a link made after it (linked again meanwhile) stays live.
    const asOf = settings.now();
    const token = await identity.tokenFor(conversationId);
    if (!token) return call(cmms);
    try {
      return await call(cmms.asUser(token));
    } catch (error) {
      if (!(error instanceof UpstreamError && error.details?.identityExpired === true)) throw error;
      await identity.markExpired(conversationId, asOf);
      logger.info({ conversationId }, 'the CMMS refused the user’s token: link marked expired');
      throw new IdentityExpiredError('the CMMS refused the user’s token: the user must link their account again');
    }
  }

  return {
    issueLink: ({ conversationId }) => identity.issueLink(conversationId),
    unlinkIdentity: ({ conversationId }) => identity.unlink(conversationId),
    findWorkOrder: ({ conversationId, numeroot }) =>
      asTheUser(conversationId, (client) => client.findWorkOrder(numeroot)),
    findTechnicians: async ({ conversationId, query }) => matchTechnicians(await listUsersFor(conversationId), query),
  };

  /**
   * The CMMS users, read as the conversation's user. The Somacor CMMS keeps `users/` for
   * administrators: a supervisor's token gets 403 there, so the list (names and roles, no write) is
   * read with the service account instead; the assignment itself still goes with the user's token.
   */
  async function listUsersFor(conversationId: string): Promise<CmmsUserSummary[]> {
    try {
      return await asTheUser(conversationId, (client) => client.listUsers());
    } catch (error) {
      if (
        !(error instanceof UpstreamError && error.details?.asUser === true && error.details?.upstreamStatus === 403)
      ) {
        throw error;
      }
      logger.info(
        { conversationId },
        'the CMMS keeps its users from this user: technicians read as the service account',
      );
      return cmms.listUsers();
    }
  }
}

/** CMMS users with role Técnico whose full name or username holds every word of the query (all for none). */
export function matchTechnicians(users: CmmsUserSummary[], query: string): CmmsUserSummary[] {
  const words = foldText(query).split(' ').filter(Boolean);
  return users.filter((user) => {
    if (foldText(user.role ?? '') !== TECHNICIAN_ROLE) return false;
    const haystack = foldText(`${user.fullName} ${user.username}`);
    return words.every((word) => haystack.includes(word));
  });
}
