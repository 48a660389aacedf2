import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { redisClusterNodes } from '../../core/config.ts';
import { clearPrefix, uniquePrefix } from '../support/redis.ts';
import { webClient } from '../support/web-client.ts';
import { clusterEnv, eventLog, type GatewayPair, startPair } from './gateways.ts';

/**
 * The tier's cluster is secured as a managed one is (scripts/redis-cluster/test.sh): TLS only and a
 * password. The gateways reach it with REDIS_CLUSTER_TLS, REDIS_CLUSTER_TLS_CA_FILE and
 * REDIS_CLUSTER_PASSWORD; a connection without them is refused, and the password never shows in a log.
 */
const password = process.env.REDIS_CLUSTER_PASSWORD;
const caFile = process.env.REDIS_CLUSTER_TLS_CA_FILE;
if (!password || !caFile || process.env.REDIS_CLUSTER_TLS !== '1') {
  throw new Error('the cluster tier runs on a secured cluster: run it with scripts/redis-cluster/test.sh');
}
const [seed] = redisClusterNodes(process.env);
const prefix = uniquePrefix('cluster-secured');
let pair: GatewayPair | undefined;

afterAll(async () => {
  await pair?.stop();
  await clearPrefix(prefix);
});

/** PING on one connection to the first seed node with these options (never retried). */
async function pingSeed(options: RedisOptions): Promise<string> {
  const node = new Redis({
    ...seed,
    lazyConnect: true,
    enableReadyCheck: false, // the PING's own answer, not the ready check's INFO
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...options,
  });
  node.on('error', () => {});
  try {
    await node.connect();
    return await node.ping();
  } finally {
    node.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('a Redis Cluster with TLS and a password', () => {
  it('refuses a connection without TLS, and one over TLS without the password', async () => {
    await expect(pingSeed({})).rejects.toThrow();
    const ca = readFileSync(caFile, 'utf8');
    await expect(pingSeed({ tls: { ca } })).rejects.toThrow(/NOAUTH/);
    expect(await pingSeed({ tls: { ca }, password })).toBe('PONG');
  });

  it('serves one conversation across two gateways that log in, and never logs the password', async () => {
    pair = await startPair(clusterEnv(prefix));
    const onA = webClient(pair.a.url);
    const onB = webClient(pair.b.url);
    expect((await onA.send('secured', 'hola')).replies[0]?.text).toMatch(/Hola/);
    expect((await onB.send('secured', 'estado')).replies.length).toBeGreaterThan(0);
    const events = await eventLog(pair.a.url, pair.env.ADMIN_TOKEN!, 'web:secured');
    expect(events.filter((event) => event.type === 'user.message').map((event) => event.text)).toEqual([
      'hola',
      'estado',
    ]);
    for (const line of [...pair.aLogs, ...pair.b.logs]) expect(line).not.toContain(password);
  });

  it('answers 503 with Retry-After while the password is wrong, and logs why without the password', async () => {
    const port = await freePort();
    const wrong = `${password}-wrong`;
    const env = { ...clusterEnv(prefix), REDIS_CLUSTER_PASSWORD: wrong, LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, ['main.ts'], {
      env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout.on('data', (chunk: Buffer) => {
      logs += chunk.toString();
    });
    try {
      let answer: Response | undefined;
      for (let attempt = 0; attempt < 100 && !answer; attempt++) {
        answer = await fetch(`http://127.0.0.1:${port}/api/bot/message`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: 'secured-wrong', message: 'hola', message_id: 'w1' }),
        }).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return undefined;
        });
      }
      expect(answer?.status).toBe(503);
      expect(Number(answer?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await answer?.json()).toMatchObject({ error: expect.any(String) });
      await expect.poll(() => logs, { timeout: 10_000 }).toMatch(/WRONGPASS/);
      expect(logs).not.toContain(wrong);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
});
