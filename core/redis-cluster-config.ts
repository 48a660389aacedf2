import { readFileSync } from 'node:fs';
import { type Env, envFlag, envText } from './env.ts';
import { ConfigError } from './errors.ts';

/** A Redis Cluster seed node (REDIS_CLUSTER_NODES). */
export interface RedisNode {
  host: string;
  port: number;
}

/**
 * How every connection to the cluster's nodes logs in and encrypts (the same for all nodes, as
 * managed clusters set them): ACL user and password (AUTH), TLS with the system's CAs or those of
 * REDIS_CLUSTER_TLS_CA_FILE.
 */
export interface RedisClusterSecurity {
  username?: string;
  password?: string;
  /** TLS on (`{}`: Node's CAs, NODE_EXTRA_CA_CERTS included), with a CA bundle of its own, or off. */
  tls?: { ca?: string };
}

/** `host:port` or `[ipv6]:port`: no scheme, user or password (those have their own variables). */
const NODE_PATTERN = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/;

/** REDIS_CLUSTER_NODES (`host:port,host:port,…`); [] when unset; a ConfigError naming it when malformed. */
export function redisClusterNodes(env: Env): RedisNode[] {
  const raw = envText(env, 'REDIS_CLUSTER_NODES');
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const match = NODE_PATTERN.exec(entry.trim());
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (!host || port < 1 || port > 65_535) {
      throw new ConfigError(`REDIS_CLUSTER_NODES must be host:port[,host:port...], got "${raw}"`);
    }
    return { host, port };
  });
}

/** The variables of `redisClusterSecurity`. */
export const REDIS_CLUSTER_SECURITY_VARIABLES = [
  'REDIS_CLUSTER_USERNAME',
  'REDIS_CLUSTER_PASSWORD',
  'REDIS_CLUSTER_TLS',
  'REDIS_CLUSTER_TLS_CA_FILE',
];

/**
 * REDIS_CLUSTER_USERNAME / REDIS_CLUSTER_PASSWORD (AUTH), REDIS_CLUSTER_TLS=1 and
 * REDIS_CLUSTER_TLS_CA_FILE (a PEM bundle, read at start). Only with REDIS_CLUSTER_NODES (REDIS_URL
 * carries its own: `rediss://user:password@host:port`); a ConfigError naming the variable otherwise,
 * and for a CA file that cannot be read or a user without a password.
 */
export function redisClusterSecurity(env: Env, clustered: boolean): RedisClusterSecurity {
  const set = REDIS_CLUSTER_SECURITY_VARIABLES.filter((name) => envText(env, name) !== undefined);
  if (!clustered) {
    if (set.length > 0) {
      const verb = set.length === 1 ? 'applies' : 'apply';
      throw new ConfigError(`${set.join(', ')} ${verb} to REDIS_CLUSTER_NODES only (REDIS_URL carries its own)`);
    }
    return {};
  }
  const username = envText(env, 'REDIS_CLUSTER_USERNAME');
  const password = envText(env, 'REDIS_CLUSTER_PASSWORD');
  if (username && !password) throw new ConfigError('REDIS_CLUSTER_USERNAME needs REDIS_CLUSTER_PASSWORD');
  const caFile = envText(env, 'REDIS_CLUSTER_TLS_CA_FILE');
  if (caFile && !envFlag(env, 'REDIS_CLUSTER_TLS')) {
    throw new ConfigError('REDIS_CLUSTER_TLS_CA_FILE needs REDIS_CLUSTER_TLS=1');
  }
  let tls: RedisClusterSecurity['tls'];
  if (caFile) {
    try {
      tls = { ca: readFileSync(caFile, 'utf8') };
    } catch (error) {
      throw new ConfigError(`REDIS_CLUSTER_TLS_CA_FILE cannot be read: ${(error as Error).message}`);
    }
  } else if (envFlag(env, 'REDIS_CLUSTER_TLS')) tls = {};
  return {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(tls ? { tls } : {}),
  };
}

/** A cluster's settings that cannot go together with the rest (checked on the final config). */
export function checkClusterSettings(config: {
  redisClusterNodes: readonly RedisNode[];
  redisUrl?: string;
  redisKeyPrefix: string;
}): void {
  if (config.redisClusterNodes.length === 0) return;
  if (config.redisUrl) {
    throw new ConfigError('REDIS_CLUSTER_NODES and REDIS_URL are exclusive: set one of them');
  }
  // A `{…}` in the prefix would be the hash tag of every key: the whole gateway in one slot.
  if (/[{}]/.test(config.redisKeyPrefix)) {
    throw new ConfigError(
      `REDIS_KEY_PREFIX must not contain { or } with REDIS_CLUSTER_NODES, got "${config.redisKeyPrefix}"`,
    );
  }
}
