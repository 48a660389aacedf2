import type { Hono } from 'hono';
import { AuthError, ConflictError, ValidationError } from '../errors.ts';
import { parseJsonObject, readRawBody } from '../http/read-json.ts';
import type { Logger } from '../log.ts';
import type { ConversationModel } from '../runtime/model.ts';
import type { ConversationStore } from '../store/types.ts';
import { CALLBACK_SIGNATURE_HEADER, verifySignature } from '../workflows/callback.ts';
import { IdentityExpiredError } from './errors.ts';
import type { IdentityService } from './types.ts';

export interface CredentialsRouteDeps {
  identity: Pick<IdentityService, 'tokenFor'>;
  store: Pick<ConversationStore, 'load'>;
  model: Pick<ConversationModel, 'waitingOf'>;
  callbackSecret: string;
  logger: Logger;
  /** Largest body (default 4 KiB: five short fields). */
  maxBodyBytes?: number;
  now?: () => number;
}

export const CREDENTIALS_PATH = '/api/bot/credentials';
/** How far `ts` may be from the gateway's clock. */
export const CREDENTIALS_MAX_SKEW_S = 60;
const MAX_ID = 1024;

/**
 * `POST /api/bot/credentials` (`WorkflowConf.credentials_url`): a workflow run acting for a linked
 * user gets the user's CMMS token. The body `{conversation_id, run_id, dag_id, cmms_user_id, ts}` is
 * signed as a callback (HMAC-SHA256 with CALLBACK_SECRET, checked in constant time). The DAG signs
 * its OWN `dag_run.run_id` and `dag_id` (never conf's: whoever triggers a DAG chooses its conf, but
 * Airflow refuses a second run with the same ids) and `acting_as.cmms_user_id`. 401 for a bad
 * signature or a `ts` more than 60 s off; 409 unless `run_id` and `dag_id` are the conversation's
 * pending run; 403 `identity_expired` unless the conversation has a live link of that CMMS user (a
 * run started for A never gets B's token after a new link); else `{token}`, never cached or logged.
 */
export function mountCredentialsRoute(app: Hono, deps: CredentialsRouteDeps): void {
  const now = deps.now ?? Date.now;
  const logger = deps.logger.child({ component: 'credentials' });
  app.post(CREDENTIALS_PATH, async (c) => {
    const raw = await readRawBody(c, deps.maxBodyBytes ?? 4096);
    if (!verifySignature(deps.callbackSecret, raw, c.req.header(CALLBACK_SIGNATURE_HEADER))) {
      throw new AuthError('missing or invalid X-Omnibot-Signature');
    }
    const body = parseJsonObject(raw);
    const conversationId = id(body.conversation_id, 'conversation_id');
    const runId = id(body.run_id, 'run_id');
    const dagId = id(body.dag_id, 'dag_id');
    const cmmsUserId = body.cmms_user_id;
    if (typeof cmmsUserId !== 'number' || !Number.isSafeInteger(cmmsUserId)) {
      throw new ValidationError('cmms_user_id must be an integer');
    }
    if (typeof body.ts !== 'number' || !Number.isFinite(body.ts)) throw new ValidationError('ts must be unix seconds');
    if (Math.abs(now() / 1000 - body.ts) > CREDENTIALS_MAX_SKEW_S) {
      throw new AuthError(`ts is more than ${CREDENTIALS_MAX_SKEW_S} s away from the gateway's clock`);
    }
    const stored = await deps.store.load(conversationId);
    const pending = stored ? deps.model.waitingOf(stored.snapshot).pending : null;
    if (pending?.runId !== runId || pending.dagId !== dagId) {
      throw new ConflictError('the run is not the pending run of that conversation', {
        conversation_id: conversationId,
      });
    }
    const token = await deps.identity.tokenFor(conversationId, cmmsUserId);
    if (!token) {
      logger.info({ conversationId, runId, cmmsUserId }, 'credentials refused: no live link of that CMMS user');
      throw new IdentityExpiredError();
    }
    logger.info({ conversationId, runId }, 'credentials handed to a workflow run');
    c.header('cache-control', 'no-store');
    return c.json({ token });
  });
}

function id(value: unknown, name: string): string {
  if (typeof value !== 'string' || !value) throw new ValidationError(`${name} must be a non-empty string`);
  if (value.length > MAX_ID) throw new ValidationError(`${name} exceeds ${MAX_ID} characters`);
  return value;
}
