/** What every gateway of the Airflow tier starts from. */
import { type Gateway, type GatewayOptions, startGateway } from '../../../app/gateway.ts';
import { REDIS_URL } from '../../support/redis.ts';
import type { AirflowEnv } from './airflow-admin.ts';

/** A key prefix of its own for one test file's gateway (deleted with `clearPrefix` at the end). */
export const airflowPrefix = (name: string) => `omnibot-airflow-${name}:${process.pid}-${Date.now()}:`;

export interface AirflowTier {
  env: AirflowEnv;
  /** The gateway's Redis key prefix (`airflowPrefix`). */
  prefix: string;
  /** The secret the DAGs sign their callbacks with (the `omnibot_callback_secret` Variable). */
  callbackSecret: string;
}

/**
 * Starts a gateway on a free loopback port, its workflows run by the tier's Airflow and answered with
 * callbacks signed with `callbackSecret`, its keys in the tests' Redis under `prefix`; `settings` adds
 * what the test is about (the CMMS, identity, timeouts).
 */
export function startAirflowGateway(
  tier: AirflowTier,
  settings: Record<string, string>,
  options: Pick<GatewayOptions, 'logger'> = {},
): Promise<Gateway> {
  return startGateway(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      AIRFLOW_URL: tier.env.url,
      AIRFLOW_USERNAME: tier.env.username,
      AIRFLOW_PASSWORD: tier.env.password,
      CALLBACK_SECRET: tier.callbackSecret,
      REDIS_URL,
      REDIS_KEY_PREFIX: tier.prefix,
      ...settings,
    },
    { port: 0, host: '127.0.0.1', ...options },
  );
}
