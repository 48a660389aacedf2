import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';

const NODES = '127.0.0.1:7101,127.0.0.1:7102,redis-3.internal:7103';

describe('REDIS_CLUSTER_NODES', () => {
  it('is empty when unset, and the seed nodes in order when set', () => {
    expect(loadConfig({}).redisClusterNodes).toEqual([]);
    expect(loadConfig({ REDIS_CLUSTER_NODES: NODES }).redisClusterNodes).toEqual([
      { host: '127.0.0.1', port: 7101 },
      { host: '127.0.0.1', port: 7102 },
      { host: 'redis-3.internal', port: 7103 },
    ]);
    expect(loadConfig({ REDIS_CLUSTER_NODES: ' [::1]:7000 , localhost:7001 ' }).redisClusterNodes).toEqual([
      { host: '::1', port: 7000 },
      { host: 'localhost', port: 7001 },
    ]);
  });

  it('refuses a malformed list, naming the variable', () => {
    for (const value of [
      '127.0.0.1',
      '127.0.0.1:7101,',
      '127.0.0.1:0',
      '127.0.0.1:70000',
      'redis://127.0.0.1:7101',
      'user:secret@127.0.0.1:7101',
      '127.0.0.1:7101;127.0.0.1:7102',
    ]) {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: value }), value).toThrow(ConfigError);
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: value }), value).toThrow(/^REDIS_CLUSTER_NODES must be host:port/);
    }
  });

  it('cannot be set together with REDIS_URL', () => {
    const both = { REDIS_CLUSTER_NODES: NODES, REDIS_URL: 'redis://127.0.0.1:6379/15' };
    expect(() => loadConfig(both)).toThrow(ConfigError);
    expect(() => loadConfig(both)).toThrow(/REDIS_CLUSTER_NODES and REDIS_URL are exclusive/);
  });

  it('refuses a REDIS_KEY_PREFIX with braces (it would put every key in one slot), only in cluster mode', () => {
    for (const prefix of ['omni{bot}:', 'omni}bot:', '{a']) {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: NODES, REDIS_KEY_PREFIX: prefix })).toThrow(
        /REDIS_KEY_PREFIX must not contain \{ or \} with REDIS_CLUSTER_NODES/,
      );
    }
    expect(loadConfig({ REDIS_CLUSTER_NODES: NODES, REDIS_KEY_PREFIX: 'bot:' }).redisKeyPrefix).toBe('bot:');
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/15', REDIS_KEY_PREFIX: 'omni{bot}:' }).redisKeyPrefix).toBe(
      'omni{bot}:',
    );
  });

  it('counts as shared Redis for the production checks (SESSION_SECRET, IDENTITY_KEY)', () => {
    const production = { NODE_ENV: 'production', REDIS_CLUSTER_NODES: NODES };
    expect(() => loadConfig(production)).toThrow(/SESSION_SECRET is required in production with .*REDIS_CLUSTER_NODES/);
    expect(() => loadConfig({ ...production, SESSION_SECRET: 's' })).toThrow(
      /IDENTITY_KEY is required in production with .*REDIS_CLUSTER_NODES/,
    );
    const config = loadConfig({ ...production, SESSION_SECRET: 's', IDENTITY_KEY: 'k'.repeat(32) });
    expect(config.redisClusterNodes).toHaveLength(3);
    expect(config.redisUrl).toBeUndefined();
  });
});

describe('REDIS_CLUSTER_USERNAME, _PASSWORD, _TLS, _TLS_CA_FILE', () => {
  const caFile = join(mkdtempSync(join(tmpdir(), 'omnibot-ca-')), 'ca.pem');
  writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

  it('log every cluster connection in and encrypt it as set, with Node’s CAs or the file’s', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: NODES }).redisClusterSecurity).toEqual({});
    const secured = loadConfig({
      REDIS_CLUSTER_NODES: NODES,
      REDIS_CLUSTER_USERNAME: 'omnibot',
      REDIS_CLUSTER_PASSWORD: 'p4ss',
      REDIS_CLUSTER_TLS: '1',
    });
    expect(secured.redisClusterSecurity).toEqual({ username: 'omnibot', password: 'p4ss', tls: {} });
    const ownCa = loadConfig({
      REDIS_CLUSTER_NODES: NODES,
      REDIS_CLUSTER_TLS: 'true',
      REDIS_CLUSTER_TLS_CA_FILE: caFile,
    });
    expect(ownCa.redisClusterSecurity.tls?.ca).toContain('BEGIN CERTIFICATE');
  });

  it('refuse what cannot work, naming the variable', () => {
    const refused: [Record<string, string>, RegExp][] = [
      [{ REDIS_CLUSTER_PASSWORD: 'p' }, /REDIS_CLUSTER_PASSWORD applies to REDIS_CLUSTER_NODES only/],
      [
        { REDIS_URL: 'redis://127.0.0.1:6379/15', REDIS_CLUSTER_TLS: '1' },
        /REDIS_CLUSTER_TLS applies to REDIS_CLUSTER_NODES only/,
      ],
      [
        { REDIS_CLUSTER_NODES: NODES, REDIS_CLUSTER_USERNAME: 'u' },
        /REDIS_CLUSTER_USERNAME needs REDIS_CLUSTER_PASSWORD/,
      ],
      [
        { REDIS_CLUSTER_NODES: NODES, REDIS_CLUSTER_TLS_CA_FILE: caFile },
        /REDIS_CLUSTER_TLS_CA_FILE needs REDIS_CLUSTER_TLS=1/,
      ],
      [
        { REDIS_CLUSTER_NODES: NODES, REDIS_CLUSTER_TLS: '1', REDIS_CLUSTER_TLS_CA_FILE: `${caFile}.missing` },
        /REDIS_CLUSTER_TLS_CA_FILE cannot be read/,
      ],
    ];
    for (const [env, message] of refused) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    }
  });
});
