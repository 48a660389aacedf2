import { request } from 'undici';
import { isDagId, RUN_TIMEOUT_SECONDS, requiresUser } from '../../workflows/catalog.ts';
import type { CmmsClient } from '../cmms/client.ts';
import { UpstreamError, WorkflowUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { RedisClient } from '../redis-connection.ts';
import { retry } from '../retry.ts';
import { startHeartbeat } from '../runtime/claim-heartbeat.ts';
import { withDeadline } from '../runtime/deadline.ts';
import { CALLBACK_SIGNATURE_HEADER, signBody } from './callback.ts';
import {
  workflows as defaultWorkflows,
  type WorkflowDefinition,
  WorkflowFailure,
  workflowErrorOf,
} from './definitions.ts';
import {
  createMemoryRunRegistry,
  createRedisRunRegistry,
  type RunClaim,
  type RunOutcome,
  type RunRegistry,
  RunTakenOverError,
  runLeaseMsFor,
} from './run-registry.ts';
import type { WorkflowCallback, WorkflowConf, WorkflowRunner, WorkflowStatus } from './types.ts';

export interface LocalRunnerOptions {
  cmms: CmmsClient;
  callbackSecret: string;
  logger: Logger;
  workflows?: Record<string, WorkflowDefinition>;
  callbackAttempts?: number;
  /**
   * Who runs which run, shared by every process with Redis (runs of a process that died are
   * resumed by another one). Default: in Redis with `redis`, else in memory (this process only).
   */
  registry?: RunRegistry;
  /** `cluster`: the registry's keys get the cluster layout (run-registry.ts). */
  redis?: { client: RedisClient; keyPrefix: string; cluster?: boolean };
  /** The watcher's poll interval: a run's lease lasts two of them (3–30 s). */
  pollIntervalMs?: number;
  /** An attempt that has not ended after this long ends as failed (`workflow_timeout`). Default 5 min. */
  runTimeoutMs?: number;
  /**
   * The CMMS client of a run that acts as a linked user (`conf.acting_as`): the user's own token
   * (`actingAsUser`). What it throws fails the run (`identity_expired` when the link is no longer
   * live). Without it, such a run fails with `identity_expired`: it never falls back on the service account.
   */
  actAs?: (conf: WorkflowConf) => Promise<CmmsClient>;
}

/**
 * `actAs` over the identity service: the user's client, or `identity_expired` when the link is not
 * live or is no longer `acting_as`'s CMMS user (the conversation linked another account since the run started).
 */
export function actingAsUser(deps: {
  cmms: Pick<CmmsClient, 'asUser'>;
  tokenFor: (conversationId: string, cmmsUserId?: number) => Promise<string | null>;
}): (conf: WorkflowConf) => Promise<CmmsClient> {
  return async (conf) => {
    const token = conf.acting_as ? await deps.tokenFor(conf.conversation_id, conf.acting_as.cmms_user_id) : null;
    if (!token) throw new WorkflowFailure('identity_expired', 'the user the run acts for has no live CMMS link');
    return deps.cmms.asUser(token, conf.acting_as?.cmms_user_id);
  };
}

const DEFAULT_RUN_TIMEOUT_MS = RUN_TIMEOUT_SECONDS * 1000;
/** Between callback attempts: 400, 800, 1600, 3200 ms…, each plus up to 20 % (never shorter). */
const CALLBACK_BACKOFF = { baseMs: 400, jitter: 'up' } as const;

/**
 * The embedded workflow runner (no `AIRFLOW_URL`): runs the same workflows in-process and delivers
 * the result through the same signed callback route Airflow uses. A run holds a lease in the
 * registry while it goes on; `status()` reports a run whose lease ran out without a result as
 * `lost`, and triggering it again resumes it here (a new attempt of the same run id).
 */
export function createLocalRunner(options: LocalRunnerOptions): WorkflowRunner {
  const definitions = options.workflows ?? defaultWorkflows;
  const leaseMs = runLeaseMsFor(options.pollIntervalMs ?? 10_000);
  const registry =
    options.registry ??
    (options.redis
      ? createRedisRunRegistry({
          redis: options.redis.client,
          prefix: options.redis.keyPrefix,
          cluster: options.redis.cluster ?? false,
          leaseMs,
        })
      : createMemoryRunRegistry({ leaseMs }));
  const running = new Set<Promise<void>>();
  const attempts = options.callbackAttempts ?? 5;

  /** Delivers the outcome through the signed callback route; a 5xx or a network error is retried with backoff. */
  async function postCallback(conf: WorkflowConf, body: WorkflowCallback): Promise<void> {
    const raw = JSON.stringify(body);
    const post = async () => {
      const response = await request(conf.callback_url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [CALLBACK_SIGNATURE_HEADER]: signBody(options.callbackSecret, raw),
        },
        body: raw,
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 500) throw new UpstreamError('callback', `workflow callback answered ${status}`, { status });
      if (status >= 400) options.logger.warn({ runId: body.run_id, status }, 'workflow callback refused');
    };
    try {
      await retry(post, {
        attempts,
        delay: CALLBACK_BACKOFF,
        onRetry: (error, { attempt }) =>
          options.logger.warn({ runId: body.run_id, attempt, err: error }, 'workflow callback failed'),
      });
    } catch (error) {
      options.logger.error(
        { runId: body.run_id, err: error },
        'workflow callback gave up; the watcher will read the run status',
      );
    }
  }

  /**
   * The service account's client, or the user's for a run acting as them (never a fallback). A
   * user-only workflow (`requiresUser`) without `acting_as` fails with `identity_expired`.
   */
  async function cmmsFor(dagId: string, conf: WorkflowConf): Promise<CmmsClient> {
    if (!conf.acting_as) {
      if (isDagId(dagId) && requiresUser(dagId)) {
        throw new WorkflowFailure('identity_expired', `${dagId} runs only as a linked user (no acting_as)`);
      }
      return options.cmms;
    }
    if (!options.actAs) throw new WorkflowFailure('identity_expired', 'this runner cannot act as a user (no actAs)');
    return options.actAs(conf);
  }

  async function execute(dagId: string, claim: RunClaim, conf: WorkflowConf, definition: WorkflowDefinition) {
    const { runId, attempt, startedAt } = claim;
    // Renews the run's lease while it goes on; once another process took it over, beating stops
    // (the attempt learns it at its next write or end).
    const heartbeat = startHeartbeat({
      renew: () => registry.renew(claim),
      leaseMs: registry.leaseMs,
      beatsPerLease: 3,
      onLost: () => options.logger.warn({ runId }, 'workflow run taken over by another process'),
      onError: (error) => options.logger.warn({ runId, err: error }, 'workflow lease renewal failed'),
    });
    // Also after the deadline: an attempt that ended (its outcome written) no longer holds the run.
    const confirmHeld = async () => {
      if (!(await registry.renew(claim))) throw new RunTakenOverError(runId);
    };
    let outcome: RunOutcome;
    try {
      const cmms = await cmmsFor(dagId, conf);
      const work = definition(cmms, conf.params, { runId, attempt, startedAt, confirmHeld });
      const timeoutMs = options.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
      const result = await withDeadline(
        work,
        timeoutMs,
        () => new WorkflowFailure('workflow_timeout', `workflow run ${runId} took over ${timeoutMs} ms`),
      );
      outcome = { state: 'success', result };
    } catch (error) {
      if (error instanceof RunTakenOverError) {
        // The process that took it over answers; this one must neither write nor report.
        options.logger.warn({ runId, dagId, attempt }, 'workflow run taken over: this attempt stops');
        return;
      }
      const workflowError = workflowErrorOf(error);
      // A configuration problem names the setting to fix (its message never holds a secret).
      const detail = workflowError.code === 'config_missing' ? { reason: workflowError.message } : {};
      options.logger.warn({ runId, dagId, code: workflowError.code, ...detail }, 'workflow failed');
      outcome = { state: 'failed', error: workflowError };
    } finally {
      await heartbeat.stop();
    }
    const recorded = await registry.finish(claim, outcome).catch((error: unknown) => {
      // Unknown whether it was written: the answer still goes out (a stale run's callback gets a 409).
      options.logger.warn({ runId, err: error }, 'workflow outcome not recorded');
      return true;
    });
    if (!recorded) {
      options.logger.warn(
        { runId, dagId, attempt },
        'workflow run taken over: this attempt neither records nor reports',
      );
      return;
    }
    await postCallback(conf, {
      conversation_id: conf.conversation_id,
      run_id: runId,
      dag_id: dagId,
      ...(outcome.state === 'success'
        ? { status: 'success', result: outcome.result }
        : { status: 'failed', error: outcome.error }),
    });
  }

  return {
    kind: 'local',
    async trigger(dagId, runId, conf) {
      const definition = Object.hasOwn(definitions, dagId) ? definitions[dagId] : undefined;
      if (!definition) throw new WorkflowUnavailableError('dag_missing', `no workflow named ${dagId}`);
      // Idempotent: a run that ended, or that a live process (this one too) holds, is not started again.
      const claim = await registry.claim(runId);
      if (!claim) return;
      if (claim.attempt > 1) options.logger.warn({ runId, dagId, attempt: claim.attempt }, 'workflow run resumed');
      // Runs on a later tick, so trigger() answers at once as Airflow's would. Its callback may come
      // before the triggering turn is committed; the runtime runs a conversation's turns one at a time.
      const work = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        execute(dagId, claim, conf, definition),
      );
      running.add(work);
      void work.finally(() => running.delete(work));
    },
    async status(_dagId, runId): Promise<WorkflowStatus> {
      const record = await registry.get(runId);
      if (!record) return { state: 'unknown' };
      if (record.state === 'running') return { state: record.alive ? 'running' : 'lost' };
      return record.state === 'success'
        ? { state: 'success', result: record.result }
        : { state: 'failed', error: record.error };
    },
    async close() {
      await Promise.allSettled([...running]);
    },
  };
}
