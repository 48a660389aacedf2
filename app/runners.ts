import type { Redis } from 'ioredis';
import { type CmmsClient, createCmmsClient } from '../core/cmms/client.ts';
import { DEMO_CMMS_TOKEN, DEMO_CMMS_USER } from '../core/cmms/demo-server.ts';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/log.ts';
import { createAirflowRunner } from '../core/workflows/airflow-runner.ts';
import { createLocalRunner } from '../core/workflows/local-runner.ts';
import type { WorkflowRunner } from '../core/workflows/types.ts';

/** What runs the workflows and what they talk to. */
export interface Workflows {
  cmms: CmmsClient;
  /** No CMMS_URL: the gateway serves the demo CMMS itself under `/demo-cmms`. */
  embeddedCmms: boolean;
  runner: WorkflowRunner;
  /** Where a workflow reports its result (`/api/bot/webhook`). */
  callbackUrl: string;
}

/**
 * The CMMS client (CMMS_URL, else the demo one on the process's own loopback listener) and the
 * runner: Airflow with AIRFLOW_URL, else the embedded one (its runs leased in Redis when there is one).
 */
export function createWorkflows(config: Config, logger: Logger, ownCallsUrl: string, redis?: Redis): Workflows {
  const embeddedCmms = !config.cmmsUrl;
  const cmms = createCmmsClient({
    baseUrl: config.cmmsUrl ?? `${ownCallsUrl}/demo-cmms`,
    apiPrefix: config.cmmsApiPrefix,
    // The demo's service account: its token, and its login for when someone logs that token out.
    ...(embeddedCmms
      ? { token: DEMO_CMMS_TOKEN, username: DEMO_CMMS_USER.username, password: DEMO_CMMS_USER.password }
      : {}),
    ...(config.cmmsToken ? { token: config.cmmsToken } : {}),
    ...(config.cmmsUsername ? { username: config.cmmsUsername } : {}),
    ...(config.cmmsPassword ? { password: config.cmmsPassword } : {}),
    logger: logger.child({ component: 'cmms' }),
  });
  const runner: WorkflowRunner = config.airflowUrl
    ? createAirflowRunner({
        baseUrl: config.airflowUrl,
        apiVersion: config.airflowApiVersion,
        ...(config.airflowUsername ? { username: config.airflowUsername } : {}),
        ...(config.airflowPassword ? { password: config.airflowPassword } : {}),
        logger: logger.child({ component: 'airflow' }),
      })
    : createLocalRunner({
        cmms,
        callbackSecret: config.callbackSecret,
        logger: logger.child({ component: 'local-runner' }),
        // Runs hold a lease in Redis: the watcher of any process resumes a run whose process died.
        ...(redis ? { redis: { client: redis, keyPrefix: config.redisKeyPrefix } } : {}),
        pollIntervalMs: config.workflowPollIntervalMs,
      });
  // Airflow calls back through PUBLIC_URL; the embedded runner calls this process on loopback.
  const callbackUrl = `${config.airflowUrl ? config.publicUrl : ownCallsUrl}/api/bot/webhook`;
  return { cmms, embeddedCmms, runner, callbackUrl };
}
