import { createHmac, randomBytes } from 'node:crypto';
import { type Env, envFlag, envInteger, envText, envUrl } from './env.ts';
import { ConfigError } from './errors.ts';
import { IDENTITY_POLICIES, type IdentityPolicy, MIN_IDENTITY_KEY_LENGTH } from './identity/types.ts';
import { type LimitSettings, loadLimitSettings } from './limits/settings.ts';
import {
  checkClusterSettings,
  type RedisClusterSecurity,
  type RedisNode,
  redisClusterNodes,
  redisClusterSecurity,
} from './redis-cluster-config.ts';

export { type Env, envFlag, envInteger, envText, envUrl, requiredSettings } from './env.ts';
export { type RedisClusterSecurity, type RedisNode, redisClusterNodes } from './redis-cluster-config.ts';

/**
 * Gateway configuration: an options object first, env as fallback. Every variable, its default and
 * its meaning are listed in README.md. Invalid values fail fast at start, naming the variable. A
 * channel's own variables are its plugin's (`plugins/<channel>/`, read with the helpers below).
 */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  logLevel: LogLevel;
  maxBodyBytes: number;
  /** Unset (and no REDIS_CLUSTER_NODES): the embedded in-memory store. */
  redisUrl?: string;
  /** REDIS_CLUSTER_NODES: a Redis Cluster's seed nodes instead of REDIS_URL; empty when not a cluster. */
  redisClusterNodes: RedisNode[];
  /** REDIS_CLUSTER_USERNAME/PASSWORD/TLS/TLS_CA_FILE: how the cluster's connections log in and encrypt. */
  redisClusterSecurity: RedisClusterSecurity;
  redisKeyPrefix: string;
  conversationTtlSeconds: number;
  /**
   * How long a message id is remembered, so that a redelivery is answered once and never processed
   * again. Default 7 days: the longest platform redelivery, WhatsApp's (a webhook not answered 200 is
   * sent again for up to 7 days); Telegram keeps an unconfirmed update 24 hours, Twilio does not
   * redeliver after an answer, a workflow's callback is retried for minutes. What is kept that long
   * is small (the state the message left); its replies are kept an hour (runtime/stored-answer.ts).
   */
  dedupTtlSeconds: number;
  transcriptLimit: number;
  /** A message's claim lasts this long without its holder's heartbeat; a retry then takes it over. */
  claimLeaseMs: number;
  /** How long a retried message waits for a live first attempt's answer before a 409 with Retry-After. */
  duplicateWaitMs: number;
  /** Caps of the in-memory store (no REDIS_URL): least recently used forgotten first. */
  memoryMaxConversations: number;
  memoryMaxMessageIds: number;
  memoryMaxConversationsMib: number;
  memoryMaxMessageIdsMib: number;
  /** Unset: the embedded `LocalRunner`. */
  airflowUrl?: string;
  airflowUsername?: string;
  airflowPassword?: string;
  airflowApiVersion: 'v1' | 'v2';
  /** Unset: the demo CMMS served by the gateway itself under `/demo-cmms`. */
  cmmsUrl?: string;
  cmmsApiPrefix: string;
  cmmsToken?: string;
  cmmsUsername?: string;
  cmmsPassword?: string;
  callbackSecret: string;
  /** True when CALLBACK_SECRET was generated at start (embedded mode only). */
  callbackSecretGenerated: boolean;
  sessionSecret: string;
  adminToken?: string;
  /** IDENTITY_REQUIRED: which CMMS actions need the user's own linked account (default `report`). */
  identityPolicy: IdentityPolicy;
  /** IDENTITY_KEY: seals the users' CMMS tokens at rest; unset: a random key of this process. */
  identityKey?: string;
  /** Neither SESSION_SECRET nor CALLBACK_SECRET set: with REDIS_URL the processes share one kept in Redis. */
  sessionSecretGenerated: boolean;
  /** Rate and connection limits (core/limits/settings.ts). */
  limits: LimitSettings;
  workflowTimeoutMs: number;
  workflowPollIntervalMs: number;
  /** A hand-off nobody answers for this long goes back to the assistant. */
  handoffTimeoutMs: number;
  /** NOTIFY_POLL_INTERVAL_MS: how often the embedded runner looks for order changes to notify; 0 = never. */
  notifyPollIntervalMs: number;
  shutdownGraceMs: number;
  /** Every HTTP request answers within this (503 with Retry-After past it; the work itself goes on). */
  requestTimeoutMs: number;
  /**
   * A Redis command not answered within this fails (the request answers 503) instead of waiting.
   * Keep it at most CLAIM_LEASE_MS / 3: a claim renewal that times out then still leaves a later one
   * time to land before the claim expires (renewals every CLAIM_LEASE_MS / 4, one at a time).
   */
  redisCommandTimeoutMs: number;
  /** INSPECT=1: every conversation goes to the live Stately inspector. */
  inspect: boolean;
  /** The inspector bridge (`npm run inspector`); set it to allow per-conversation live inspection. */
  inspectUrl?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

const isIdentityPolicy = (value: string): value is IdentityPolicy =>
  (IDENTITY_POLICIES as readonly string[]).includes(value);

/** The fastest order-change poll: a round lists every order of the CMMS. */
const MIN_NOTIFY_POLL_INTERVAL_MS = 100;

/** NOTIFY_POLL_INTERVAL_MS (default 60 s): 0 turns the poller off, else at least `MIN_NOTIFY_POLL_INTERVAL_MS`. */
function notifyPollInterval(env: Env): number {
  const value = envInteger(env, 'NOTIFY_POLL_INTERVAL_MS', 60_000, 0);
  if (value !== 0 && value < MIN_NOTIFY_POLL_INTERVAL_MS) {
    throw new ConfigError(
      `NOTIFY_POLL_INTERVAL_MS must be 0 (off) or an integer >= ${MIN_NOTIFY_POLL_INTERVAL_MS}, got "${value}"`,
    );
  }
  return value;
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const port = envInteger(env, 'PORT', 5001, 0);
  const host = envText(env, 'HOST') ?? '0.0.0.0';
  const logLevel = (envText(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const airflowUrl = envUrl(env, 'AIRFLOW_URL');
  const redisUrl = envUrl(env, 'REDIS_URL');
  const clusterNodes = redisClusterNodes(env);
  // Redis every process shares: the production checks below apply to either kind.
  const sharedRedis = redisUrl !== undefined || clusterNodes.length > 0;

  const configuredSecret = envText(env, 'CALLBACK_SECRET');
  if (!configuredSecret && airflowUrl) {
    throw new ConfigError(
      'CALLBACK_SECRET is required when AIRFLOW_URL is set (the DAGs sign their callbacks with it)',
    );
  }
  const sessionSecret = envText(env, 'SESSION_SECRET');
  if (!sessionSecret && sharedRedis && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'SESSION_SECRET is required in production with REDIS_URL or REDIS_CLUSTER_NODES (every process must sign alike)',
    );
  }
  const identityKey = envText(env, 'IDENTITY_KEY');
  if (!identityKey && sharedRedis && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'IDENTITY_KEY is required in production with REDIS_URL or REDIS_CLUSTER_NODES (every process must open the linked users’ tokens)',
    );
  }
  if (identityKey && identityKey.length < MIN_IDENTITY_KEY_LENGTH) {
    throw new ConfigError(`IDENTITY_KEY must be at least ${MIN_IDENTITY_KEY_LENGTH} characters long`);
  }
  const identityPolicy = envText(env, 'IDENTITY_REQUIRED') ?? 'report';
  if (!isIdentityPolicy(identityPolicy)) {
    throw new ConfigError(`IDENTITY_REQUIRED must be one of ${IDENTITY_POLICIES.join(', ')}, got "${identityPolicy}"`);
  }
  const apiVersion = envText(env, 'AIRFLOW_API_VERSION') ?? 'v2';
  if (apiVersion !== 'v1' && apiVersion !== 'v2') throw new ConfigError('AIRFLOW_API_VERSION must be v1 or v2');

  const config: Config = {
    port,
    host,
    publicUrl: envUrl(env, 'PUBLIC_URL') ?? `http://127.0.0.1:${port}`,
    logLevel,
    maxBodyBytes: envInteger(env, 'MAX_BODY_BYTES', 64 * 1024, 1),
    redisUrl,
    redisClusterNodes: clusterNodes,
    redisClusterSecurity: redisClusterSecurity(env, clusterNodes.length > 0),
    redisKeyPrefix: envText(env, 'REDIS_KEY_PREFIX') ?? 'omnibot:',
    conversationTtlSeconds: envInteger(env, 'CONVERSATION_TTL_SECONDS', 30 * 24 * 3600, 60),
    dedupTtlSeconds: envInteger(env, 'DEDUP_TTL_SECONDS', 7 * 24 * 3600, 1),
    transcriptLimit: envInteger(env, 'TRANSCRIPT_LIMIT', 200, 1),
    claimLeaseMs: envInteger(env, 'CLAIM_LEASE_MS', 6_000, 300),
    duplicateWaitMs: envInteger(env, 'DUPLICATE_WAIT_MS', 10_000, 0),
    memoryMaxConversations: envInteger(env, 'MEMORY_MAX_CONVERSATIONS', 10_000, 1),
    memoryMaxMessageIds: envInteger(env, 'MEMORY_MAX_MESSAGE_IDS', 100_000, 1),
    memoryMaxConversationsMib: envInteger(env, 'MEMORY_MAX_CONVERSATIONS_MIB', 64, 1),
    memoryMaxMessageIdsMib: envInteger(env, 'MEMORY_MAX_MESSAGE_IDS_MIB', 16, 1),
    airflowUrl,
    airflowUsername: envText(env, 'AIRFLOW_USERNAME'),
    airflowPassword: envText(env, 'AIRFLOW_PASSWORD'),
    airflowApiVersion: apiVersion,
    cmmsUrl: envUrl(env, 'CMMS_URL'),
    cmmsApiPrefix: envText(env, 'CMMS_API_PREFIX') ?? '/api/',
    cmmsToken: envText(env, 'CMMS_TOKEN'),
    cmmsUsername: envText(env, 'CMMS_USERNAME'),
    cmmsPassword: envText(env, 'CMMS_PASSWORD'),
    callbackSecret: configuredSecret ?? randomBytes(32).toString('hex'),
    callbackSecretGenerated: !configuredSecret,
    // Never the callback secret itself (it is also an Airflow Variable): a key derived from it.
    sessionSecret:
      sessionSecret ??
      (configuredSecret
        ? createHmac('sha256', configuredSecret).update('omnibot conversation tokens').digest('hex')
        : randomBytes(32).toString('hex')),
    adminToken: envText(env, 'ADMIN_TOKEN'),
    identityPolicy,
    identityKey,
    sessionSecretGenerated: !sessionSecret && !configuredSecret,
    limits: loadLimitSettings(env),
    workflowTimeoutMs: envInteger(env, 'WORKFLOW_TIMEOUT_MS', 120_000, 100),
    workflowPollIntervalMs: envInteger(env, 'WORKFLOW_POLL_INTERVAL_MS', 10_000, 50),
    handoffTimeoutMs: envInteger(env, 'HANDOFF_TIMEOUT_MS', 8 * 3600_000, 1_000),
    notifyPollIntervalMs: notifyPollInterval(env),
    shutdownGraceMs: envInteger(env, 'SHUTDOWN_GRACE_MS', 10_000, 0),
    requestTimeoutMs: envInteger(env, 'REQUEST_TIMEOUT_MS', 30_000, 100),
    redisCommandTimeoutMs: envInteger(env, 'REDIS_COMMAND_TIMEOUT_MS', 2_000, 50),
    inspect: envFlag(env, 'INSPECT'),
    inspectUrl: envText(env, 'INSPECT_URL') ?? (envFlag(env, 'INSPECT') ? 'ws://localhost:8080' : undefined),
    ...overrides,
  };
  checkClusterSettings(config);
  // A retry waiting for a dead holder must outlive its claim to take the message over (message-once.ts).
  if (config.duplicateWaitMs <= config.claimLeaseMs) {
    throw new ConfigError(
      `DUPLICATE_WAIT_MS (${config.duplicateWaitMs}) must be greater than CLAIM_LEASE_MS (${config.claimLeaseMs})`,
    );
  }
  return config;
}
