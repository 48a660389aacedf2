import type { Hono } from 'hono';
import { AuthError, ValidationError } from '../errors.ts';
import { parseJsonObject, readRawBody } from '../http/read-json.ts';
import type { Logger } from '../log.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import { CALLBACK_SIGNATURE_HEADER, verifySignature } from './callback.ts';
import type { WorkflowCallback } from './types.ts';

/**
 * `POST /api/bot/webhook`: a workflow's result (Airflow DAG or LocalRunner), signed with
 * CALLBACK_SECRET over the raw body. Bad signature → 401; unknown conversation or stale run → 409;
 * a replay is processed once.
 */
export function mountCallbackRoute(
  app: Hono,
  deps: { runtime: ConversationRuntime; secret: string; maxBodyBytes: number; logger: Logger },
) {
  app.post('/api/bot/webhook', async (c) => {
    const raw = await readRawBody(c, deps.maxBodyBytes);
    if (!verifySignature(deps.secret, raw, c.req.header(CALLBACK_SIGNATURE_HEADER))) {
      throw new AuthError('missing or invalid X-Omnibot-Signature');
    }
    const callback = validateCallback(parseJsonObject(raw));
    const turn = await deps.runtime.deliverWorkflowResult(callback);
    deps.logger.info(
      {
        conversationId: callback.conversation_id,
        runId: callback.run_id,
        status: callback.status,
        duplicate: turn.duplicate,
      },
      'workflow callback applied',
    );
    return c.json({ ok: true, duplicate: turn.duplicate, state: turn.state, status: turn.status });
  });
}

function validateCallback(body: Record<string, unknown>): WorkflowCallback {
  for (const field of ['conversation_id', 'run_id', 'dag_id'] as const) {
    if (typeof body[field] !== 'string' || !body[field])
      throw new ValidationError(`${field} must be a non-empty string`);
  }
  if (body.status !== 'success' && body.status !== 'failed')
    throw new ValidationError('status must be "success" or "failed"');
  if (body.status === 'success' && (body.result === null || typeof body.result !== 'object')) {
    throw new ValidationError('result must be an object when status is "success"');
  }
  const error = body.error as { code?: unknown; message?: unknown } | undefined;
  return {
    conversation_id: body.conversation_id as string,
    run_id: body.run_id as string,
    dag_id: body.dag_id as string,
    status: body.status,
    ...(body.result !== undefined ? { result: body.result } : {}),
    ...(error && typeof error === 'object'
      ? { error: { code: String(error.code ?? 'workflow_error'), message: String(error.message ?? '') } }
      : {}),
  };
}
