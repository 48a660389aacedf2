import type { Context, Hono, MiddlewareHandler } from 'hono';
import { bearerToken } from '../auth/bearer.ts';
import { safeEqual } from '../auth/safe-equal.ts';
import type { OutboundDispatcher } from '../delivery/types.ts';
import { AuthError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { readJsonObject } from '../http/read-json.ts';
import type { InspectionHub } from '../inspect/hub.ts';
import type { ConversationRuntimeImpl } from '../runtime/conversation-runtime.ts';
import type { ConversationStore } from '../store/types.ts';
import { agentLabelOf } from './agent-label.ts';

/** An operator's reply: at most this long (as GraphQL `replyAsAgent`). */
const MAX_AGENT_TEXT = 4096;

export interface AdminDeps {
  adminToken?: string;
  runtime: ConversationRuntimeImpl;
  store: ConversationStore;
  dispatcher: OutboundDispatcher;
  inspection: InspectionHub;
  maxBodyBytes: number;
}

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` (constant time): 401 without it, 403 when ADMIN_TOKEN is
 * unset. Every `/admin/*` route has it; a module mounting admin routes of its own applies it too, so
 * the order of the mounts does not matter.
 */
export function adminGuard(adminToken: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!adminToken) throw new ForbiddenError('the admin API is disabled: set ADMIN_TOKEN');
    const token = bearerToken(c.req.header('authorization'));
    if (!token || !safeEqual(token, adminToken)) {
      throw new AuthError('admin token required (Authorization: Bearer <ADMIN_TOKEN>)');
    }
    await next();
  };
}

/**
 * The operators' REST API (`Authorization: Bearer <ADMIN_TOKEN>`; refused when ADMIN_TOKEN is
 * unset): a conversation's event log (for `npm run inspect`), the live-inspection switch, replies
 * in a hand-off (signed with `agent_name`/`agent_role`), and the outbound dead letters.
 */
export function mountAdminRoutes(app: Hono, deps: AdminDeps) {
  const conversation = async (c: Context) => {
    const id = c.req.param('id') ?? '';
    const view = await deps.runtime.getConversation(id);
    if (!view) throw new NotFoundError(`conversation ${id} not found`);
    return view;
  };
  /** `{text, agent_name?, agent_role?}`: the reply and who signs it ("Ana (supervisora): …"). */
  const agentReply = async (c: Context) => {
    const body = await readJsonObject(c, deps.maxBodyBytes);
    if (typeof body.text !== 'string' || !body.text.trim()) throw new ValidationError('text is required');
    const text = body.text.trim();
    if (text.length > MAX_AGENT_TEXT) throw new ValidationError(`text exceeds ${MAX_AGENT_TEXT} characters`);
    return { text, agent: agentLabelOf(body.agent_name, body.agent_role) };
  };

  app.use('/admin/*', adminGuard(deps.adminToken));
  app.get('/admin/conversations/:id/events', async (c) => {
    const view = await conversation(c);
    return c.json({ conversation: view, events: await deps.store.readEvents(view.id) });
  });
  app.post('/admin/conversations/:id/inspect', async (c) => {
    const view = await conversation(c);
    const body = await readJsonObject(c, deps.maxBodyBytes);
    deps.inspection.setLive(view.id, body.live !== false);
    return c.json({ conversation_id: view.id, live: body.live !== false });
  });
  app.post('/admin/conversations/:id/reply', async (c) => {
    const view = await conversation(c);
    const { text, agent } = await agentReply(c);
    const turn = await deps.runtime.agentReply(view.id, text, agent);
    return c.json({ conversation_id: view.id, status: turn.status, replies: turn.replies });
  });
  app.post('/admin/conversations/:id/release', async (c) => {
    const view = await conversation(c);
    const turn = await deps.runtime.releaseHandoff(view.id);
    return c.json({ conversation_id: view.id, status: turn.status, replies: turn.replies });
  });
  app.get('/admin/delivery/dead-letters', async (c) =>
    c.json({ dead_letters: await deps.dispatcher.deadLetters(500) }),
  );
  app.post('/admin/delivery/dead-letters/retry', async (c) =>
    c.json({ retried: await deps.dispatcher.retryDeadLetters({ all: true }) }),
  );
}
