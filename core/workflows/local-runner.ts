import { request } from 'undici';
import type { CmmsClient } from '../cmms/client.ts';
import { WorkflowUnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { CALLBACK_SIGNATURE_HEADER, signBody } from './callback.ts';
import { workflows as defaultWorkflows, type WorkflowDefinition, workflowErrorOf } from './definitions.ts';
import type { WorkflowCallback, WorkflowConf, WorkflowRunner, WorkflowStatus } from './types.ts';

export interface LocalRunnerOptions {
  cmms: CmmsClient;
  callbackSecret: string;
  logger: Logger;
  workflows?: Record<string, WorkflowDefinition>;
  callbackAttempts?: number;
  /** Finished runs remembered for `status()` and idempotent triggers. */
  maxRemembered?: number;
}

/**
 * The embedded workflow runner (no `AIRFLOW_URL`): runs the same workflows in-process and delivers
 * the result through the same signed callback route Airflow uses.
 */
export function createLocalRunner(options: LocalRunnerOptions): WorkflowRunner {
  const definitions = options.workflows ?? defaultWorkflows;
  const runs = new Map<string, WorkflowStatus>();
  const running = new Set<Promise<void>>();
  const maxRemembered = options.maxRemembered ?? 10_000;
  const attempts = options.callbackAttempts ?? 5;

  async function postCallback(conf: WorkflowConf, body: WorkflowCallback): Promise<void> {
    const raw = JSON.stringify(body);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
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
        if (response.statusCode < 500) {
          if (response.statusCode >= 400) {
            options.logger.warn({ runId: body.run_id, status: response.statusCode }, 'workflow callback refused');
          }
          return;
        }
      } catch (error) {
        options.logger.warn({ runId: body.run_id, attempt, err: error }, 'workflow callback failed');
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
    options.logger.error({ runId: body.run_id }, 'workflow callback gave up; the watcher will read the run status');
  }

  async function execute(dagId: string, runId: string, conf: WorkflowConf, definition: WorkflowDefinition) {
    runs.set(runId, { state: 'running' });
    let body: WorkflowCallback;
    try {
      const result = await definition(options.cmms, conf.params);
      runs.set(runId, { state: 'success', result });
      body = { conversation_id: conf.conversation_id, run_id: runId, dag_id: dagId, status: 'success', result };
    } catch (error) {
      const workflowError = workflowErrorOf(error);
      options.logger.warn({ runId, dagId, code: workflowError.code }, 'workflow failed');
      runs.set(runId, { state: 'failed', error: workflowError });
      body = {
        conversation_id: conf.conversation_id,
        run_id: runId,
        dag_id: dagId,
        status: 'failed',
        error: workflowError,
      };
    }
    await postCallback(conf, body);
  }

  return {
    kind: 'local',
    async trigger(dagId, runId, conf) {
      const definition = definitions[dagId];
      if (!definition) throw new WorkflowUnavailableError('dag_missing', `no workflow named ${dagId}`);
      if (runs.has(runId)) return;
      if (runs.size >= maxRemembered) runs.delete(runs.keys().next().value!);
      runs.set(runId, { state: 'queued' });
      // Starts after the triggering turn has been committed, as an Airflow run would.
      const work = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
        execute(dagId, runId, conf, definition),
      );
      running.add(work);
      void work.finally(() => running.delete(work));
    },
    async status(_dagId, runId) {
      return runs.get(runId) ?? { state: 'unknown' };
    },
    async close() {
      await Promise.allSettled([...running]);
    },
  };
}
