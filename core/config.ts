import { createHmac, randomBytes } from 'node:crypto';
import { ConfigError } from './errors.ts';
import { type LimitSettings, loadLimitSettings } from './limits/settings.ts';

/**
 * Gateway configuration: an options object first, env as fallback. Every variable, its default and
 * its meaning are listed in README.md. Invalid values fail fast at start, naming the variable.
 */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  logLevel: LogLevel;
  maxBodyBytes: number;
  /** Unset: the embedded in-memory store. */
  redisUrl?: string;
  redisKeyPrefix: string;
  conversationTtlSeconds: number;
  dedupTtlSeconds: number;
  transcriptLimit: number;
  /** A message's claim lasts this long without its holder's heartbeat; a retry then takes it over. */
  claimLeaseMs: number;
  /** How long a retried message waits for a live first attempt's answer before a 409 with Retry-After. */
  duplicateWaitMs: number;
  /** Caps of the in-memory store (no REDIS_URL): least recently used forgotten first. */
  memoryMaxConversations: number;
  memoryMaxMessageIds: number;
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
  /** When set, `POST /api/bot/message` needs it in `X-Api-Key` (the backend calling the REST API). */
  webApiKey?: string;
  /** WEB_REST=off: no REST API (`/api/bot/...`); browsers use the web chat over GraphQL. */
  webRest: boolean;
  /** Neither SESSION_SECRET nor CALLBACK_SECRET set: with REDIS_URL the processes share one kept in Redis. */
  sessionSecretGenerated: boolean;
  /** Rate and connection limits (core/limits/settings.ts). */
  limits: LimitSettings;
  workflowTimeoutMs: number;
  workflowPollIntervalMs: number;
  /** A hand-off nobody answers for this long goes back to the assistant. */
  handoffTimeoutMs: number;
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
  whatsapp: {
    verifyToken?: string;
    appSecret?: string;
    token?: string;
    phoneNumberId?: string;
    apiUrl: string;
  };
  telegram: {
    token?: string;
    webhookSecret?: string;
    apiUrl: string;
  };
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min = 0): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function url(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  try {
    const parsed = new URL(raw);
    if (!['http:', 'https:', 'redis:', 'rediss:'].includes(parsed.protocol)) throw new Error('protocol');
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function flag(env: Env, name: string): boolean {
  return ['1', 'true', 'yes', 'on'].includes((text(env, name) ?? '').toLowerCase());
}

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const port = integer(env, 'PORT', 5001, 0);
  const host = text(env, 'HOST') ?? '0.0.0.0';
  const logLevel = (text(env, 'LOG_LEVEL') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const airflowUrl = url(env, 'AIRFLOW_URL');
  const redisUrl = url(env, 'REDIS_URL');

  const configuredSecret = text(env, 'CALLBACK_SECRET');
  if (!configuredSecret && airflowUrl) {
    throw new ConfigError(
      'CALLBACK_SECRET is required when AIRFLOW_URL is set (the DAGs sign their callbacks with it)',
    );
  }
  const sessionSecret = text(env, 'SESSION_SECRET');
  if (!sessionSecret && redisUrl && env.NODE_ENV === 'production') {
    throw new ConfigError('SESSION_SECRET is required in production with REDIS_URL (every process must sign alike)');
  }
  const webRest = !['0', 'false', 'no', 'off'].includes((text(env, 'WEB_REST') ?? 'on').toLowerCase());
  if (webRest && !text(env, 'WEB_API_KEY') && env.NODE_ENV === 'production') {
    throw new ConfigError(
      'WEB_API_KEY is required in production while the REST API is on (anyone could post as any user_id): set it, or WEB_REST=off',
    );
  }
  const apiVersion = text(env, 'AIRFLOW_API_VERSION') ?? 'v2';
  if (apiVersion !== 'v1' && apiVersion !== 'v2') throw new ConfigError('AIRFLOW_API_VERSION must be v1 or v2');

  const config: Config = {
    port,
    host,
    publicUrl: url(env, 'PUBLIC_URL') ?? `http://127.0.0.1:${port}`,
    logLevel,
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 64 * 1024, 1),
    redisUrl,
    redisKeyPrefix: text(env, 'REDIS_KEY_PREFIX') ?? 'omnibot:',
    conversationTtlSeconds: integer(env, 'CONVERSATION_TTL_SECONDS', 30 * 24 * 3600, 60),
    dedupTtlSeconds: integer(env, 'DEDUP_TTL_SECONDS', 7 * 24 * 3600, 1),
    transcriptLimit: integer(env, 'TRANSCRIPT_LIMIT', 200, 1),
    claimLeaseMs: integer(env, 'CLAIM_LEASE_MS', 6_000, 300),
    duplicateWaitMs: integer(env, 'DUPLICATE_WAIT_MS', 10_000, 0),
    memoryMaxConversations: integer(env, 'MEMORY_MAX_CONVERSATIONS', 10_000, 1),
    memoryMaxMessageIds: integer(env, 'MEMORY_MAX_MESSAGE_IDS', 100_000, 1),
    airflowUrl,
    airflowUsername: text(env, 'AIRFLOW_USERNAME'),
    airflowPassword: text(env, 'AIRFLOW_PASSWORD'),
    airflowApiVersion: apiVersion,
    cmmsUrl: url(env, 'CMMS_URL'),
    cmmsApiPrefix: text(env, 'CMMS_API_PREFIX') ?? '/api/',
    cmmsToken: text(env, 'CMMS_TOKEN'),
    cmmsUsername: text(env, 'CMMS_USERNAME'),
    cmmsPassword: text(env, 'CMMS_PASSWORD'),
    callbackSecret: configuredSecret ?? randomBytes(32).toString('hex'),
    callbackSecretGenerated: !configuredSecret,
    // Never the callback secret itself (it is also an Airflow Variable): a key derived from it.
    sessionSecret:
      sessionSecret ??
      (configuredSecret
        ? createHmac('sha256', configuredSecret).update('omnibot conversation tokens').digest('hex')
        : randomBytes(32).toString('hex')),
    adminToken: text(env, 'ADMIN_TOKEN'),
    webApiKey: text(env, 'WEB_API_KEY'),
    webRest,
    sessionSecretGenerated: !sessionSecret && !configuredSecret,
    limits: loadLimitSettings(env),
    workflowTimeoutMs: integer(env, 'WORKFLOW_TIMEOUT_MS', 120_000, 100),
    workflowPollIntervalMs: integer(env, 'WORKFLOW_POLL_INTERVAL_MS', 10_000, 50),
    handoffTimeoutMs: integer(env, 'HANDOFF_TIMEOUT_MS', 8 * 3600_000, 1_000),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 100),
    redisCommandTimeoutMs: integer(env, 'REDIS_COMMAND_TIMEOUT_MS', 2_000, 50),
    inspect: flag(env, 'INSPECT'),
    inspectUrl: text(env, 'INSPECT_URL') ?? (flag(env, 'INSPECT') ? 'ws://localhost:8080' : undefined),
    whatsapp: {
      verifyToken: text(env, 'WHATSAPP_VERIFY_TOKEN'),
      appSecret: text(env, 'WHATSAPP_APP_SECRET'),
      token: text(env, 'WHATSAPP_TOKEN'),
      phoneNumberId: text(env, 'WHATSAPP_PHONE_NUMBER_ID'),
      apiUrl: url(env, 'WHATSAPP_API_URL') ?? 'https://graph.facebook.com/v23.0',
    },
    telegram: {
      token: text(env, 'TELEGRAM_BOT_TOKEN'),
      webhookSecret: text(env, 'TELEGRAM_WEBHOOK_SECRET'),
      apiUrl: url(env, 'TELEGRAM_API_URL') ?? 'https://api.telegram.org',
    },
    ...overrides,
  };
  // A retry waiting for a dead holder must outlive its claim to take the message over (message-once.ts).
  if (config.duplicateWaitMs <= config.claimLeaseMs) {
    throw new ConfigError(
      `DUPLICATE_WAIT_MS (${config.duplicateWaitMs}) must be greater than CLAIM_LEASE_MS (${config.claimLeaseMs})`,
    );
  }
  return config;
}
