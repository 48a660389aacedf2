import type { Hono } from 'hono';
import { AuthError, OmnibotError, UnavailableError } from '../errors.ts';
import { parseJsonObject, readRawBody } from '../http/read-json.ts';
import { asUnavailable } from '../http/unavailable.ts';
import type { Logger } from '../log.ts';
import { CALLBACK_SIGNATURE_HEADER, verifySignature } from '../workflows/callback.ts';
import { parseNotifyBody } from './schema.ts';
import type { FanOutOutcome, NotifyChange } from './types.ts';

export const NOTIFY_PATH = '/api/bot/notify';

/**
 * The body's cap. 500 changes with every text at its bound do NOT fit (observations alone may take
 * 8 KB of UTF-8 each): the DAG splits its changes into batches by bytes under this cap
 * (OMNIBOT_NOTIFY_MAX_BODY_BYTES) and sends a batch refused with 413 again in halves.
 */
export const NOTIFY_MAX_BODY_BYTES = 1024 * 1024;

/** How soon the DAG should post again when some chat could not be told now. */
const RETRY_AFTER_MS = 5_000;

export interface NotifyRouteDeps {
  /** CALLBACK_SECRET: the DAG signs the body as it signs a workflow's callback. */
  secret: string;
  fanOut: (changes: readonly NotifyChange[]) => Promise<FanOutOutcome>;
  logger: Logger;
  maxBodyBytes?: number;
  now?: () => number;
}

/**
 * `POST /api/bot/notify`: the `notificar_cambios_ot` DAG's detected order changes, signed with
 * CALLBACK_SECRET over the raw body (`X-Omnibot-Signature: sha256=<hex>`), with the time it was
 * signed (`sent_at`). 413 past the size cap, 401 for a bad signature, 400 naming the first wrong field
 * of the envelope, 400 `stale` for a `sent_at` more than 10 minutes old or 5 minutes ahead (a
 * replay). Each change is checked on its own: 200 `{accepted, notified, duplicates, rejected}` once
 * every chat was told of every accepted change (or had been: a repeated post tells nobody twice),
 * `rejected` listing the changes refused (`{index, change_id?, reason}`: final, the DAG drops them);
 * 503 with Retry-After when some chat could not be told now (the store is down, a conversation is
 * busy): the DAG keeps the changes pending and posts again.
 */
export function mountNotifyRoute(app: Hono, deps: NotifyRouteDeps): void {
  app.post(NOTIFY_PATH, async (c) => {
    const raw = await readRawBody(c, deps.maxBodyBytes ?? NOTIFY_MAX_BODY_BYTES);
    if (!verifySignature(deps.secret, raw, c.req.header(CALLBACK_SIGNATURE_HEADER))) {
      throw new AuthError('missing or invalid X-Omnibot-Signature');
    }
    const { changes, rejected } = parseNotifyBody(parseJsonObject(raw), (deps.now ?? Date.now)());
    for (const { index, change_id: changeId, reason } of rejected) {
      deps.logger.warn({ index, changeId, reason }, 'order change refused');
    }
    let outcome: FanOutOutcome;
    try {
      outcome = await deps.fanOut(changes);
    } catch (error) {
      throw unavailable(error);
    }
    if (outcome.retry.size > 0) {
      deps.logger.warn({ changes: changes.length, retry: outcome.retry.size }, 'order changes not all told: retry');
      throw unavailable(outcome.retryError);
    }
    const { notified, duplicates } = outcome;
    deps.logger.info(
      { changes: changes.length, notified, duplicates, rejected: rejected.length },
      'order changes notified',
    );
    return c.json({ accepted: changes.length, notified, duplicates, rejected });
  });
}

/** What the DAG is answered when a chat could not be told now: always a 503 with Retry-After. */
function unavailable(error: unknown): OmnibotError {
  const outage = asUnavailable(error);
  if (outage) return outage;
  if (error instanceof OmnibotError && error.retryAfterMs !== undefined && error.status === 503) return error;
  return new UnavailableError(
    'notify_incomplete',
    'some chats could not be told now; post the changes again',
    RETRY_AFTER_MS,
  );
}
