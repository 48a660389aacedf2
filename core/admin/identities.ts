import type { Hono } from 'hono';
import { ValidationError } from '../errors.ts';
import { readJsonObject } from '../http/read-json.ts';
import { type AdminRuntime, identityAdminActions } from '../identity/admin-actions.ts';
import type { IdentityService, LinkedIdentity } from '../identity/types.ts';
import { type Logger, silentLogger } from '../log.ts';
import { adminGuard } from './routes.ts';

export interface IdentityAdminDeps {
  identity: IdentityService;
  runtime: AdminRuntime;
  maxBodyBytes: number;
  /** The admin guard (Bearer ADMIN_TOKEN) is applied here too: these routes never depend on mount order. */
  adminToken?: string;
  logger?: Logger;
}

const MAX_CREDENTIAL = 512;

/**
 * Linked identities for admins (JSON, never a token):
 * - `GET /admin/identities` → `{identities: [...]}`;
 * - `POST /admin/identities` `{conversation_id, username?, password?}`: with both credentials links at
 *   once (201, the user is told), without them issues a one-time link and answers its `url`;
 * - `DELETE /admin/identities/:conversationId`: unlinks (the user is told), 404 when not linked;
 * - `POST /admin/personal-data/erase` `{conversation_id}` or `{cmms_user_id}`: erases the
 *   conversation(s): link, snapshot, transcript, event log.
 */
export function mountIdentityAdminRoutes(app: Hono, deps: IdentityAdminDeps): void {
  const actions = identityAdminActions(deps.identity, deps.runtime, deps.logger ?? silentLogger);
  const guard = adminGuard(deps.adminToken);
  app.use('/admin/identities', guard);
  app.use('/admin/identities/*', guard);
  app.use('/admin/personal-data/*', guard);

  app.get('/admin/identities', async (c) => {
    const identities = await actions.list();
    return c.json({ identities: identities.map((item) => identityJson(item.conversationId, item)) });
  });

  app.post('/admin/identities', async (c) => {
    const body = await readJsonObject(c, deps.maxBodyBytes);
    const conversationId = body.conversation_id;
    if (typeof conversationId !== 'string') throw new ValidationError('conversation_id is required');
    const username = optionalText(body.username, 'username');
    const password = optionalText(body.password, 'password');
    if (username === undefined && password === undefined) {
      const link = await actions.issue(conversationId);
      return c.json({
        conversation_id: conversationId,
        url: link.url,
        expires_at: new Date(link.expiresAt).toISOString(),
      });
    }
    if (!username || !password) throw new ValidationError('give both username and password, or neither');
    const { identity, notified } = await actions.link(conversationId, username, password);
    return c.json({ identity: identityJson(conversationId, identity), notified }, 201);
  });

  app.delete('/admin/identities/:conversationId', async (c) => {
    const conversationId = c.req.param('conversationId');
    const { unlinked, notified } = await actions.unlink(conversationId);
    if (!unlinked) return c.json({ error: 'not_found', message: `${conversationId} has no linked account` }, 404);
    return c.json({ conversation_id: conversationId, unlinked, notified });
  });

  app.post('/admin/personal-data/erase', async (c) => {
    const body = await readJsonObject(c, deps.maxBodyBytes);
    const byConversation = body.conversation_id !== undefined;
    const byUser = body.cmms_user_id !== undefined;
    if (byConversation === byUser) throw new ValidationError('give exactly one of conversation_id and cmms_user_id');
    if (byUser && (!Number.isSafeInteger(body.cmms_user_id) || (body.cmms_user_id as number) < 0)) {
      throw new ValidationError('cmms_user_id must be a non-negative integer');
    }
    if (byConversation && typeof body.conversation_id !== 'string') {
      throw new ValidationError('conversation_id must be a string');
    }
    const erased = await actions.erase(
      byUser ? { cmmsUserId: body.cmms_user_id as number } : { conversationId: body.conversation_id as string },
    );
    return c.json({ erased: erased.length, conversation_ids: erased });
  });
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ValidationError(`${name} must be a string`);
  if (value.length > MAX_CREDENTIAL) throw new ValidationError(`${name} exceeds ${MAX_CREDENTIAL} characters`);
  return value;
}

/** An identity as the admin API shows it. */
export function identityJson(conversationId: string, identity: LinkedIdentity) {
  return {
    conversation_id: conversationId,
    cmms_user_id: identity.cmmsUserId,
    username: identity.username,
    full_name: identity.fullName,
    role: identity.role,
    linked_at: identity.linkedAt,
    expired: identity.expired === true,
  };
}
