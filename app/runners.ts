import { type CmmsClient, createCmmsClient } from '../core/cmms/client.ts';
import { DEMO_CMMS_TOKEN, DEMO_CMMS_USER } from '../core/cmms/demo-server.ts';
import { cmmsApiVariant, v2Api } from '../core/cmms/v2.ts';
import type { Config } from '../core/config.ts';
import { CREDENTIALS_PATH, type IdentityService } from '../core/identity/index.ts';
import type { Logger } from '../core/log.ts';
import { isCluster, type RedisClient } from '../core/redis-connection.ts';
import { createAirflowRunner } from '../core/workflows/airflow-runner.ts';
import { actingAsUser, createLocalRunner } from '../core/workflows/local-runner.ts';
import type { WorkflowRunner } from '../core/workflows/types.ts';

/** What runs the workflows and what they talk to. */
export interface Workflows {
  cmms: CmmsClient;
  /** No CMMS_URL: the gateway serves the demo CMMS itself under `/demo-cmms`. */
  embeddedCmms: boolean;
  runner: WorkflowRunner;
  /** Where a workflow reports its result (`/api/bot/webhook`). */
  callbackUrl: string;
  /** Where a DAG acting as a linked user fetches the user's token (`/api/bot/credentials`, next to the callback). */
  credentialsUrl: string;
}

/** The CMMS the gateway talks to: CMMS_URL, else the demo one it serves on its own loopback listener. */
export const cmmsBaseUrl = (config: Config, ownCallsUrl: string) => config.cmmsUrl ?? `${ownCallsUrl}/demo-cmms`;

/**
 * The CMMS client (CMMS_URL, else the demo one on the process's own loopback listener) and the
 * runner: Airflow with AIRFLOW_URL, else the embedded one (its runs leased in Redis when there is one;
 * a run for a linked user gets the user's token from `identity`).
 */
export function createWorkflows(
  config: Config,
  logger: Logger,
  ownCallsUrl: string,
  identity: Pick<IdentityService, 'tokenFor'>,
  redis?: RedisClient,
): Workflows {
  const embeddedCmms = !config.cmmsUrl;
  if (cmmsApiVariant(config.cmmsApiPrefix) === v2Api && config.cmmsToken && !config.cmmsUsername) {
    logger.warn(
      { variable: 'CMMS_USERNAME' },
      'CMMS_API_PREFIX is /api/v2/ with CMMS_TOKEN alone: v2 needs the requester id, so unlinked users cannot report failures; set CMMS_USERNAME and CMMS_PASSWORD',
    );
  }
  const cmms = createCmmsClient({
    baseUrl: cmmsBaseUrl(config, ownCallsUrl),
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
        ...(redis ? { redis: { client: redis, keyPrefix: config.redisKeyPrefix, cluster: isCluster(redis) } } : {}),
        pollIntervalMs: config.workflowPollIntervalMs,
        // A run for a linked user calls the CMMS with the user's own token.
        actAs: actingAsUser({ cmms, tokenFor: (conversationId, user) => identity.tokenFor(conversationId, user) }),
      });
  // Airflow calls back through PUBLIC_URL; the embedded runner calls this process on loopback.
  const base = config.airflowUrl ? config.publicUrl : ownCallsUrl;
  return {
    cmms,
    embeddedCmms,
    runner,
    callbackUrl: `${base}/api/bot/webhook`,
    credentialsUrl: `${base}${CREDENTIALS_PATH}`,
  };
}
