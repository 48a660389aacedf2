import type { Hono } from 'hono';
import * as v from 'valibot';
import { isRecord } from '../../lib/is-record.ts';
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

const MAX_ID = 1024;
const id = (name: string) =>
  v.pipe(
    v.string(`${name} must be a non-empty string`),
    v.minLength(1, `${name} must be a non-empty string`),
    v.maxLength(MAX_ID, `${name} exceeds ${MAX_ID} characters`),
  );
/** A string (or a number, as some notifiers send codes), cut to `max` characters. */
const shortText = (name: string, max: number) =>
  v.pipe(
    v.union([v.string(), v.pipe(v.number(), v.finite())], `${name} must be a string`),
    v.transform((value) => String(value).slice(0, max)),
  );

const CallbackSchema = v.pipe(
  v.object({
    conversation_id: id('conversation_id'),
    run_id: id('run_id'),
    dag_id: id('dag_id'),
    status: v.picklist(['success', 'failed'], 'status must be "success" or "failed"'),
    result: v.optional(v.unknown()),
    error: v.nullish(
      v.object(
        {
          code: v.nullish(shortText('error.code', 100)),
          message: v.nullish(shortText('error.message', 2000)),
        },
        'error must be an object',
      ),
    ),
  }),
  v.check(
    (body) => body.status !== 'success' || isRecord(body.result),
    'result must be an object when status is "success"',
  ),
);

/** The callback's fields, checked (400 naming the first wrong one); unknown fields are ignored. */
function validateCallback(body: Record<string, unknown>): WorkflowCallback {
  const parsed = v.safeParse(CallbackSchema, body);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue);
    throw new ValidationError(path && issue.input === undefined ? `${path} is required` : issue.message);
  }
  const { conversation_id, run_id, dag_id, status, result, error } = parsed.output;
  return {
    conversation_id,
    run_id,
    dag_id,
    status,
    ...(result !== undefined ? { result } : {}),
    ...(error ? { error: { code: error.code ?? 'workflow_error', message: error.message ?? '' } } : {}),
  };
}
