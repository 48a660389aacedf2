import { ValidationError } from '../../errors.ts';
import { identityAdminActions } from '../../identity/admin-actions.ts';
import type { LinkedIdentity } from '../../identity/types.ts';
import { assertAdmin } from '../auth.ts';
import type { GraphqlContext } from '../context.ts';
import { badInput, forbidden } from '../errors.ts';

const MAX_CREDENTIAL = 512;

/** The admin's identity actions: admin only, and only where the gateway has an identity service. */
function actions(ctx: GraphqlContext) {
  assertAdmin(ctx.principal, Boolean(ctx.services.config.adminToken));
  const { identity, runtime, logger } = ctx.services;
  if (!identity) throw forbidden('linked identities are not enabled on this gateway');
  return identityAdminActions(identity, runtime, logger.child({ component: 'graphql-admin' }));
}

/** Input errors of the shared actions (`ValidationError`) as BAD_USER_INPUT with the GraphQL argument. */
async function withInput<T>(field: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError) throw badInput(error.message.replace('conversation_id', field), field);
    throw error;
  }
}

const identityObject = (conversationId: string, identity: LinkedIdentity) => ({
  conversationId,
  ...identity,
  expired: identity.expired === true,
});

export const IdentityQuery = {
  async identities(_root: unknown, _args: unknown, ctx: GraphqlContext) {
    const list = await actions(ctx).list();
    return list.map((item) => identityObject(item.conversationId, item));
  },
};

export const IdentityMutation = {
  async linkIdentity(
    _root: unknown,
    args: { conversationId: string; username: string; password: string },
    ctx: GraphqlContext,
  ) {
    const admin = actions(ctx);
    if (!args.username.trim() || !args.password) throw badInput('username and password are required', 'username');
    if (args.username.length > MAX_CREDENTIAL || args.password.length > MAX_CREDENTIAL) {
      throw badInput(`username and password are at most ${MAX_CREDENTIAL} characters`, 'password');
    }
    const { identity } = await withInput('conversationId', () =>
      admin.link(args.conversationId, args.username.trim(), args.password),
    );
    return identityObject(args.conversationId, identity);
  },

  async issueIdentityLink(_root: unknown, args: { conversationId: string }, ctx: GraphqlContext) {
    const admin = actions(ctx);
    const link = await withInput('conversationId', () => admin.issue(args.conversationId));
    return link.url;
  },

  async unlinkIdentity(_root: unknown, args: { conversationId: string }, ctx: GraphqlContext) {
    return (await actions(ctx).unlink(args.conversationId)).unlinked;
  },

  async erasePersonalData(
    _root: unknown,
    args: { conversationId?: string | null; cmmsUserId?: number | null },
    ctx: GraphqlContext,
  ) {
    const admin = actions(ctx);
    const byConversation = args.conversationId != null;
    if (byConversation === (args.cmmsUserId != null)) {
      throw badInput('give exactly one of conversationId and cmmsUserId', 'conversationId');
    }
    if (!byConversation && args.cmmsUserId! < 0) throw badInput('cmmsUserId must be >= 0', 'cmmsUserId');
    const erased = await withInput('conversationId', () =>
      admin.erase(byConversation ? { conversationId: args.conversationId! } : { cmmsUserId: args.cmmsUserId! }),
    );
    return erased.length;
  },
};
