import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearPrefix, uniquePrefix } from '../support/redis.ts';
import { webClient } from '../support/web-client.ts';
import { clusterEnv, eventLog, type GatewayPair, keysPerMaster, sharedCmms, startPair } from './gateways.ts';

/**
 * The workflow watchers of two processes share the due checks of every shard of the cluster: a run
 * that never calls back (the CMMS holds its request) times out once, whichever process claims it.
 */
const prefix = uniquePrefix('cluster-watcher');
const TIMEOUT_MS = 1_500;
let cmms: Awaited<ReturnType<typeof sharedCmms>>;
let pair: GatewayPair;

beforeAll(async () => {
  cmms = await sharedCmms({ hold: /ordenes-trabajo/ });
  pair = await startPair(
    clusterEnv(prefix, { ...cmms.env, WORKFLOW_TIMEOUT_MS: String(TIMEOUT_MS), WORKFLOW_POLL_INTERVAL_MS: '200' }),
  );
});

afterAll(async () => {
  cmms?.release(); // the held runs end; their late callbacks are refused (the runs timed out)
  await pair?.stop();
  await cmms?.close();
  await clearPrefix(prefix);
});

const LATE = /tardando más de lo esperado/;

describe('the workflow watcher on a Redis Cluster', () => {
  it('times out each run that never calls back exactly once, across shards and processes', async () => {
    const clients = [webClient(pair.a.url), webClient(pair.b.url)];
    const users = Array.from({ length: 8 }, (_, i) => `cluster-late-${i}`);
    const asked = await Promise.all(
      users.map((user, i) => clients[i % 2]!.send(user, 'consultar estado de OT-CORR-1')),
    );
    expect(asked.map((answer) => answer.status)).toEqual(users.map(() => 'processing'));

    for (const [i, answer] of asked.entries()) {
      // Read on the other process than the one that started the run.
      const reader = clients[(i + 1) % 2]!;
      await reader.waitForReply(answer.conversation_id, answer.conversation_token, LATE, 20_000);
    }
    // Several watcher ticks later, still one timeout each.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const answer of asked) {
      const { messages, status } = await clients[0]!.messages(answer.conversation_id, answer.conversation_token);
      expect(status).toBe('idle');
      expect(messages.filter((m) => m.direction === 'out' && LATE.test(m.text))).toHaveLength(1);
      const log = await eventLog(pair.a.url, pair.env.ADMIN_TOKEN!, answer.conversation_id);
      expect(log.filter((e) => e.type === 'workflow.timeout')).toHaveLength(1);
      expect(log.filter((e) => e.type === 'workflow.result')).toHaveLength(0);
    }
    // Each timeout came from the watcher of one process or the other.
    const timedOut = [...pair.aLogs, ...pair.b.logs]
      .filter((line) => line.includes('"msg":"workflow timed out"'))
      .map((line) => (JSON.parse(line) as { conversationId: string }).conversationId);
    expect(new Set(timedOut)).toEqual(new Set(asked.map((answer) => answer.conversation_id)));
    // The conversations (and so their due checks) were on more than one master.
    expect((await keysPerMaster(prefix)).filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  });
});
