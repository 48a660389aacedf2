import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { createLogger } from '../../core/log.ts';
import { shardOf, shardTag } from '../../core/redis-keys.ts';
import { clearPrefix, readyCluster, uniquePrefix } from '../support/redis.ts';
import { clusterEnv, eventLog } from './gateways.ts';

/**
 * One master of the cluster stops answering (frozen with SIGSTOP, shorter than the cluster's node
 * timeout, so the others do not fail it over): a message whose conversation lives there answers 503
 * with Retry-After within the command timeout, the conversations on the other masters are served, and
 * once the master answers again the same delivery is processed, once.
 */
const prefix = uniquePrefix('cluster-outage');
const clusterDir = process.env.OMNIBOT_REDIS_CLUSTER_DIR ?? join(tmpdir(), 'omnibot-redis-cluster');
let gateway: Gateway;
let env: Record<string, string>;

beforeAll(async () => {
  env = clusterEnv(prefix, { REDIS_COMMAND_TIMEOUT_MS: '300' });
  const logger = createLogger('silent', { service: 'omnibot' });
  gateway = await startGateway(env, { port: 0, host: '127.0.0.1', logger });
});

afterAll(async () => {
  await gateway?.stop();
  await clearPrefix(prefix);
});

/** The port of the master serving each web user's conversation (its shard's hash tag). */
async function mastersOf(users: string[]): Promise<Map<string, number>> {
  const cluster = await readyCluster();
  try {
    const ranges = (await cluster.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const found = new Map<string, number>();
    for (const user of users) {
      const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', shardTag(shardOf(`web:${user}`))));
      const range = ranges.find(([from, to]) => slot >= from && slot <= to);
      if (!range) throw new Error(`slot ${slot} has no master`);
      found.set(user, range[2][1]);
    }
    return found;
  } finally {
    await cluster.quit();
  }
}

const post = (user: string, messageId: string) =>
  fetch(`${gateway.url}/api/bot/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: user, message: 'hola', message_id: messageId }),
    signal: AbortSignal.timeout(20_000),
  });

describe('a Redis Cluster master that stops answering', () => {
  it('answers 503 for its conversations only, then processes the retried delivery once', async () => {
    const candidates = Array.from({ length: 24 }, (_, i) => `outage-${i}`);
    const masters = await mastersOf(candidates);
    const frozenPort = masters.get(candidates[0]!)!;
    const onFrozen = candidates[0]!;
    const elsewhere = candidates.find((user) => masters.get(user) !== frozenPort);
    if (!elsewhere) throw new Error('every candidate lives on one master');
    const pid = Number(readFileSync(join(clusterDir, String(frozenPort), 'redis.pid'), 'utf8'));

    process.kill(pid, 'SIGSTOP');
    let frozenAnswer: Response;
    let otherAnswer: Response;
    try {
      const startedAt = Date.now();
      frozenAnswer = await post(onFrozen, 'outage-m1');
      const waited = Date.now() - startedAt;
      otherAnswer = await post(elsewhere, 'outage-m2');
      // Not hung: the command timeout (300 ms here), not the request deadline (30 s).
      expect(waited).toBeLessThan(5_000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(frozenAnswer.status).toBe(503);
    expect(Number(frozenAnswer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await frozenAnswer.json()).toMatchObject({ error: expect.any(String) });
    expect(otherAnswer.status).toBe(200);
    expect(((await otherAnswer.json()) as { replies: unknown[] }).replies.length).toBeGreaterThan(0);

    // The platform retries the same delivery: processed now (a claim left by the frozen attempt is
    // released or taken over), answered with the real replies, and once only.
    await expect
      .poll(async () => (await post(onFrozen, 'outage-m1')).status, { timeout: 30_000, interval: 500 })
      .toBe(200);
    const again = await post(onFrozen, 'outage-m1');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const log = await eventLog(gateway.url, env.ADMIN_TOKEN!, `web:${onFrozen}`);
    expect(log.filter((event) => event.type === 'user.message')).toHaveLength(1);
  });
});
