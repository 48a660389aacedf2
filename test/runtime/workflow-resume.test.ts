import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { CmmsClient } from '../../core/cmms/client.ts';
import { silentLogger } from '../../core/log.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import type { WorkflowDefinition } from '../../core/workflows/definitions.ts';
import { createLocalRunner } from '../../core/workflows/local-runner.ts';
import {
  createMemoryRunRegistry,
  createRedisRunRegistry,
  type RunRegistry,
  runKeys,
} from '../../core/workflows/run-registry.ts';
import type { WorkflowCallback, WorkflowConf, WorkflowRunner } from '../../core/workflows/types.ts';
import { clearPrefix, connectRedis, uniquePrefix } from '../support/redis.ts';
import { makeRuntime, message } from '../support/runtime-harness.ts';

const prefix = uniquePrefix('run-registry');
const redis = connectRedis();
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
  await clearPrefix(prefix);
  await redis.quit();
});

// Leases far longer than any test step: they run out only when a test makes them (`expire`).
const LEASE_MS = 10_000;
/** A registry, and a way to make a run's lease run out now (its holder died). */
type Subject = { registry: RunRegistry; expire: (runId: string) => Promise<unknown> };
const redisSubject = (): Subject => ({
  registry: createRedisRunRegistry({ redis, prefix, leaseMs: LEASE_MS }),
  expire: (runId) => redis.del(`${prefix}run-lease:${runId}`),
});
/** The cluster layout (a run's two keys share a hash tag), on the standalone test Redis. */
const clusterLayoutSubject = (): Subject => ({
  registry: createRedisRunRegistry({ redis, prefix, leaseMs: LEASE_MS, cluster: true }),
  expire: (runId) => redis.del(runKeys(prefix, true).lease(runId)),
});
const memorySubject = (maxRecords?: number): Subject => {
  let clock = Date.now();
  const registry = createMemoryRunRegistry({
    leaseMs: LEASE_MS,
    now: () => clock,
    ...(maxRecords ? { maxRecords } : {}),
  });
  return { registry, expire: async () => (clock += LEASE_MS + 1) };
};
let runs = 0;
const newRunId = () => `omnibot__web_resume__t${Date.now().toString(36)}-${++runs}`;

describe.each([
  ['memory', () => memorySubject()],
  ['redis', redisSubject],
  ['redis, cluster layout', clusterLayoutSubject],
] as const)('run registry (%s)', (_name, make) => {
  it('gives a run to one holder; once its lease runs out, to the next one as a new attempt', async () => {
    const { registry, expire } = make();
    const runId = newRunId();
    const first = await registry.claim(runId);
    expect(first?.attempt).toBe(1);
    expect(await registry.claim(runId)).toBeNull();
    expect(await registry.get(runId)).toEqual({ state: 'running', attempt: 1, alive: true });

    await expire(runId);
    expect(await registry.get(runId)).toEqual({ state: 'running', attempt: 1, alive: false });
    const second = await registry.claim(runId);
    expect(second).toMatchObject({ attempt: 2, startedAt: first!.startedAt });
    expect(await registry.renew(first!)).toBe(false); // taken over: the old holder is told
    expect(await registry.renew(second!)).toBe(true);

    expect(await registry.finish(second!, { state: 'success', result: { ok: 2 } })).toBe(true);
    expect(await registry.get(runId)).toEqual({ state: 'success', attempt: 2, result: { ok: 2 } });
    expect(await registry.claim(runId)).toBeNull(); // an ended run is never started again
  });

  it('lets a taken-over holder write nothing when it finishes: the new holder keeps the run', async () => {
    const { registry, expire } = make();
    const runId = newRunId();
    const first = await registry.claim(runId);
    await expire(runId);
    const second = await registry.claim(runId);

    expect(await registry.finish(first!, { state: 'failed', error: { code: 'late', message: 'late' } })).toBe(false);
    expect(await registry.get(runId)).toEqual({ state: 'running', attempt: 2, alive: true });
    expect(await registry.claim(runId)).toBeNull(); // the new holder's lease is intact
    expect(await registry.finish(second!, { state: 'success', result: { ok: 2 } })).toBe(true);
    expect(await registry.get(runId)).toEqual({ state: 'success', attempt: 2, result: { ok: 2 } });
  });

  it('lets a late holder keep (and end) its run when nobody took it over', async () => {
    const { registry, expire } = make();
    const runId = newRunId();
    const claim = await registry.claim(runId);
    await expire(runId);
    expect(await registry.renew(claim!)).toBe(true);
    expect(await registry.get(runId)).toMatchObject({ state: 'running', alive: true });
    expect(await registry.finish(claim!, { state: 'success', result: 1 })).toBe(true);
    expect(await registry.get(runId)).toEqual({ state: 'success', attempt: 1, result: 1 });
  });
});

describe('run registry keys', () => {
  /** Redis Cluster's hash tag of a key: what its first `{…}` holds when not empty, else the whole key. */
  const hashTag = (key: string) => {
    const match = /\{([^}]+)\}/.exec(key);
    return match?.index === key.indexOf('{') && match[1] ? match[1] : key;
  };

  it('are unchanged without a cluster, and share one tag per run with one, whatever the run id holds', async () => {
    expect(runKeys('bot:').state('r1')).toBe('bot:run-state:r1');
    expect(runKeys('bot:').lease('r1')).toBe('bot:run-lease:r1');
    const keys = runKeys('bot:', true);
    const tags = new Set<string>();
    for (const runId of ['r1', 'web:}x', 'web:{a}', '}', '{', 'web:ñ', 'x'.repeat(4096)]) {
      const [state, lease] = [keys.state(runId), keys.lease(runId)];
      expect(state.startsWith('bot:run-state:{')).toBe(true);
      expect(state.endsWith(runId)).toBe(true);
      expect(hashTag(state)).toBe(hashTag(lease));
      expect(hashTag(state)).toMatch(/^[A-Za-z0-9_-]+$/); // derived from the id, never the id's braces
      tags.add(hashTag(state));
    }
    expect(tags.size).toBe(7); // a tag per run: runs spread over the cluster

    const registry = createRedisRunRegistry({ redis, prefix, leaseMs: LEASE_MS, cluster: true });
    const runId = newRunId();
    await registry.claim(runId);
    expect(await redis.exists(runKeys(prefix, true).state(runId), runKeys(prefix, true).lease(runId))).toBe(2);
    expect(await redis.exists(`${prefix}run-state:${runId}`)).toBe(0);
  });
});

describe('memory run registry at its size limit', () => {
  it('forgets the oldest ended runs, never a running one (it would be started twice)', async () => {
    const { registry } = memorySubject(2);
    const [running, ended, third] = [newRunId(), newRunId(), newRunId()];
    await registry.claim(running);
    const endedClaim = await registry.claim(ended);
    await registry.finish(endedClaim!, { state: 'success', result: null });
    expect(await registry.claim(third)).not.toBeNull();
    expect(await registry.claim(running)).toBeNull();
    expect(await registry.get(running)).toMatchObject({ state: 'running', attempt: 1 });
    expect(await registry.claim(newRunId())).not.toBeNull(); // only running ones left: it grows
    expect(await registry.claim(running)).toBeNull();
  });
});

/** A loopback callback receiver. */
async function callbackReceiver() {
  const callbacks: WorkflowCallback[] = [];
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      callbacks.push(JSON.parse(raw) as WorkflowCallback);
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/bot/webhook`;
  return { callbacks, url };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

async function until(condition: () => boolean) {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe('local runner', () => {
  const options = { cmms: {} as CmmsClient, callbackSecret: 's', logger: silentLogger };
  const shared = createRedisRunRegistry({ redis, prefix, leaseMs: LEASE_MS });
  /** A stalled process: its heartbeat does not reach the registry (until `wake`). */
  function stalledRegistry() {
    let stalled = true;
    const registry: RunRegistry = {
      ...shared,
      renew: (claim) => (stalled ? Promise.resolve(true) : shared.renew(claim)),
    };
    return { registry, wake: () => (stalled = false) };
  }
  const confFor = (runId: string, callbackUrl: string): WorkflowConf => ({
    conversation_id: 'web:resume',
    run_id: runId,
    callback_url: callbackUrl,
    params: {},
  });

  it('resumes a run whose process stopped renewing its lease; the stalled attempt neither writes nor reports', async () => {
    const { callbacks, url } = await callbackReceiver();
    const runId = newRunId();
    const conf = confFor(runId, url);
    const started: number[] = [];
    const writes: number[] = [];
    const first = gate();
    const slow: WorkflowDefinition = async (_cmms, _params, run) => {
      started.push(run!.attempt);
      if (run!.attempt === 1) await first.opened;
      await run!.confirmHeld!();
      writes.push(run!.attempt);
      return { attempt: run!.attempt };
    };
    const stalled = stalledRegistry();
    const stalledRunner = createLocalRunner({ ...options, workflows: { slow }, registry: stalled.registry });
    const alive = createLocalRunner({ ...options, workflows: { slow }, registry: shared });

    await stalledRunner.trigger('slow', runId, conf);
    await alive.trigger('slow', runId, conf); // held: not started twice
    expect(await alive.status('slow', runId)).toEqual({ state: 'running' });
    await redis.del(`${prefix}run-lease:${runId}`); // the stalled process's lease runs out
    expect(await alive.status('slow', runId)).toEqual({ state: 'lost' });

    await alive.trigger('slow', runId, conf);
    await alive.close();
    await alive.trigger('slow', runId, conf); // ended: not started again
    await alive.close();
    stalled.wake();
    first.open();
    await stalledRunner.close();

    expect(started).toEqual([1, 2]);
    expect(writes).toEqual([2]);
    expect(callbacks).toEqual([
      { conversation_id: 'web:resume', run_id: runId, dag_id: 'slow', status: 'success', result: { attempt: 2 } },
    ]);
    expect(await alive.status('slow', runId)).toEqual({ state: 'success', result: { attempt: 2 } });
  });

  it('a taken-over attempt that ends records nothing, leaves the new holder alone and calls back not at all', async () => {
    const { callbacks, url } = await callbackReceiver();
    const runId = newRunId();
    const conf = confFor(runId, url);
    const gates = [gate(), gate()];
    const started: number[] = [];
    // A read-only workflow: it never asks whether it still holds the run.
    const read: WorkflowDefinition = async (_cmms, _params, run) => {
      started.push(run!.attempt);
      await gates[run!.attempt - 1]!.opened;
      return { attempt: run!.attempt };
    };
    const stalled = stalledRegistry();
    const stalledRunner = createLocalRunner({ ...options, workflows: { read }, registry: stalled.registry });
    const alive = createLocalRunner({ ...options, workflows: { read }, registry: shared });

    await stalledRunner.trigger('read', runId, conf);
    await until(() => started.length === 1);
    await redis.del(`${prefix}run-lease:${runId}`);
    await alive.trigger('read', runId, conf);
    await until(() => started.length === 2);

    stalled.wake();
    gates[0]!.open();
    await stalledRunner.close();
    expect(callbacks).toEqual([]);
    expect(await alive.status('read', runId)).toEqual({ state: 'running' });
    expect(await shared.claim(runId)).toBeNull(); // the new holder's lease is intact

    gates[1]!.open();
    await alive.close();
    expect(callbacks).toEqual([
      { conversation_id: 'web:resume', run_id: runId, dag_id: 'read', status: 'success', result: { attempt: 2 } },
    ]);
    expect(await alive.status('read', runId)).toEqual({ state: 'success', result: { attempt: 2 } });
  });

  it('ends an attempt that outlives its deadline as failed, and reports it', async () => {
    const { callbacks, url } = await callbackReceiver();
    const runId = newRunId();
    const hang: WorkflowDefinition = () => new Promise(() => {});
    const runner = createLocalRunner({ ...options, workflows: { hang }, registry: shared, runTimeoutMs: 50 });
    await runner.trigger('hang', runId, confFor(runId, url));
    await runner.close();
    expect(callbacks).toMatchObject([{ run_id: runId, status: 'failed', error: { code: 'workflow_timeout' } }]);
    expect(await runner.status('hang', runId)).toMatchObject({ state: 'failed', error: { code: 'workflow_timeout' } });
  });

  it('stops renewing a lease once the run was taken over', async () => {
    const { url } = await callbackReceiver();
    const runId = newRunId();
    let renewals = 0;
    const registry: RunRegistry = {
      ...createMemoryRunRegistry({ leaseMs: 30 }), // a beat every 10 ms
      renew: async () => {
        renewals++;
        return false;
      },
    };
    const done = gate();
    const wait: WorkflowDefinition = async () => {
      await done.opened;
      return null;
    };
    const runner = createLocalRunner({ ...options, workflows: { wait }, registry });
    await runner.trigger('wait', runId, confFor(runId, url));
    await until(() => renewals >= 1);
    await new Promise((resolve) => setTimeout(resolve, 150)); // many beats' worth
    expect(renewals).toBe(1);
    done.open();
    await runner.close();
  });
});

describe('watcher check', () => {
  it('resumes a lost run under the same run id, calling back to this process', async () => {
    const triggers: { runId: string; conf: WorkflowConf }[] = [];
    const runner: WorkflowRunner = {
      kind: 'local',
      async trigger(_dagId, runId, conf) {
        triggers.push({ runId, conf });
      },
      async status() {
        return { state: triggers.length > 1 ? 'running' : 'lost' };
      },
      async close() {},
    };
    const { runtime } = makeRuntime(createMemoryStore(), {
      runner,
      callbackUrl: 'http://127.0.0.1:2/api/bot/webhook',
    });
    const turn = await runtime.receive(message('lost-run', 'consultar estado de OT-CORR-1'));
    expect(turn.status).toBe('processing');
    await runtime.checkDeadlines(turn.conversationId);
    expect(triggers).toHaveLength(2);
    expect(triggers[1]).toEqual({
      runId: triggers[0]!.runId,
      conf: { ...triggers[0]!.conf, callback_url: 'http://127.0.0.1:2/api/bot/webhook' },
    });
    expect((await runtime.getConversation(turn.conversationId))?.status).toBe('processing');
  });
});
