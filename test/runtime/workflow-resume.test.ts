import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, describe, expect, it } from 'vitest';
import { type CmmsClient, createCmmsClient } from '../../core/cmms/client.ts';
import { createDemoCmmsApp, DEMO_CMMS_TOKEN } from '../../core/cmms/demo-server.ts';
import { silentLogger } from '../../core/log.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import { reportMarker, type WorkflowDefinition, workflows } from '../../core/workflows/definitions.ts';
import { createLocalRunner } from '../../core/workflows/local-runner.ts';
import type { ReportFailureResult } from '../../core/workflows/results.ts';
import {
  createMemoryRunRegistry,
  createRedisRunRegistry,
  type RunRegistry,
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

const LEASE_MS = 200;
const registries: [string, () => RunRegistry][] = [
  ['memory', () => createMemoryRunRegistry({ leaseMs: LEASE_MS })],
  ['redis', () => createRedisRunRegistry({ redis, prefix, leaseMs: LEASE_MS })],
];
let runs = 0;
const newRunId = () => `omnibot__web_resume__t${Date.now().toString(36)}-${++runs}`;

/** Waits (polling) until a run's holder is no longer seen alive: its lease ran out. */
async function untilLost(registry: RunRegistry, runId: string) {
  for (let i = 0; i < 200; i++) {
    const record = await registry.get(runId);
    if (record?.state === 'running' && !record.alive) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`run ${runId} never lost its lease`);
}

describe.each(registries)('run registry (%s)', (_name, make) => {
  it('gives a run to one holder; once its lease runs out, to the next one as a new attempt', async () => {
    const registry = make();
    const runId = newRunId();
    const first = await registry.claim(runId);
    expect(first?.attempt).toBe(1);
    expect(await registry.claim(runId)).toBeNull();
    expect(await registry.get(runId)).toEqual({ state: 'running', attempt: 1, alive: true });

    await untilLost(registry, runId);
    const second = await registry.claim(runId);
    expect(second?.attempt).toBe(2);
    expect(await registry.renew(first!)).toBe(false); // taken over: the old holder is told
    expect(await registry.renew(second!)).toBe(true);

    await registry.finish(second!, { state: 'success', result: { ok: 2 } });
    await registry.finish(first!, { state: 'failed', error: { code: 'late', message: 'late' } });
    expect(await registry.get(runId)).toEqual({ state: 'success', attempt: 2, result: { ok: 2 } });
    expect(await registry.claim(runId)).toBeNull(); // an ended run is never started again
  });

  it('lets a late holder keep its run when nobody took it over', async () => {
    const registry = make();
    const runId = newRunId();
    const claim = await registry.claim(runId);
    await untilLost(registry, runId);
    expect(await registry.renew(claim!)).toBe(true);
    expect(await registry.get(runId)).toMatchObject({ state: 'running', alive: true });
  });
});

describe('failure report resumed after its process died', () => {
  /** The demo CMMS, handed each request in-process (as the gateway does: no per-client limit). */
  async function demoCmms(): Promise<CmmsClient> {
    const demo = createDemoCmmsApp();
    const server = serve({ port: 0, hostname: '127.0.0.1', fetch: (request) => demo.fetch(request) });
    await new Promise((resolve) => server.once('listening', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cmms = createCmmsClient({ baseUrl, token: DEMO_CMMS_TOKEN, logger: silentLogger });
    closers.push(
      () => cmms.close(),
      () => new Promise((resolve) => server.close(resolve)),
    );
    return cmms;
  }
  const report = workflows.reportar_falla!;
  const params = { idequipo: 1, descripcion: 'Fuga de aceite en el cilindro', prioridad: 'Alta' };
  const pendingCount = async (cmms: CmmsClient) => (await cmms.listPendingWorkOrders()).length;

  it('answers with the order its first attempt created (found among many pages) and creates none', async () => {
    const cmms = await demoCmms();
    const others = async (n: number) => {
      for (let i = 0; i < n; i++) await report(cmms, params, { runId: newRunId(), attempt: 1 });
    };
    const runId = newRunId();
    await others(60);
    const first = (await report(cmms, params, { runId, attempt: 1 })) as ReportFailureResult;
    await others(60);
    const before = await pendingCount(cmms);

    const resumed = (await report(cmms, params, { runId, attempt: 2 })) as ReportFailureResult;
    expect(resumed.order.numeroot).toBe(first.order.numeroot);
    expect(await pendingCount(cmms)).toBe(before);
  });

  it('creates the order when the first attempt died before creating it, marked with its run', async () => {
    const cmms = await demoCmms();
    const before = await pendingCount(cmms);
    const runId = newRunId();
    const resumed = (await report(cmms, params, { runId, attempt: 2 })) as ReportFailureResult;
    expect(await pendingCount(cmms)).toBe(before + 1);
    expect((await cmms.findReportedFailure(reportMarker(runId)))?.numeroot).toBe(resumed.order.numeroot);
  });
});

describe('local runner', () => {
  it('resumes a run whose process stopped renewing its lease; the stalled attempt neither writes nor reports', async () => {
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
    const runId = newRunId();
    const conf: WorkflowConf = {
      conversation_id: 'web:resume',
      run_id: runId,
      callback_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/bot/webhook`,
      params: {},
    };
    const shared = createRedisRunRegistry({ redis, prefix, leaseMs: LEASE_MS });
    const started: number[] = [];
    const writes: number[] = [];
    let wakeFirst!: () => void;
    const firstWakes = new Promise<void>((resolve) => {
      wakeFirst = resolve;
    });
    const slow: WorkflowDefinition = async (_cmms, _params, run) => {
      started.push(run!.attempt);
      if (run!.attempt === 1) await firstWakes;
      await run!.confirmHeld!();
      writes.push(run!.attempt);
      return { attempt: run!.attempt };
    };
    const options = { cmms: {} as CmmsClient, callbackSecret: 's', logger: silentLogger, workflows: { slow } };
    // A stalled process: its heartbeat does not reach the registry until it wakes up.
    let stalled = true;
    const stalledRunner = createLocalRunner({
      ...options,
      registry: { ...shared, renew: (claim) => (stalled ? Promise.resolve(true) : shared.renew(claim)) },
    });
    const alive = createLocalRunner({ ...options, registry: shared });

    await stalledRunner.trigger('slow', runId, conf);
    await alive.trigger('slow', runId, conf); // held: not started twice
    expect(await alive.status('slow', runId)).toEqual({ state: 'running' });
    for (let i = 0; i < 200 && (await alive.status('slow', runId)).state !== 'lost'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(await alive.status('slow', runId)).toEqual({ state: 'lost' });

    await alive.trigger('slow', runId, conf);
    await alive.close();
    await alive.trigger('slow', runId, conf); // ended: not started again
    await alive.close();
    stalled = false;
    wakeFirst();
    await stalledRunner.close();

    expect(started).toEqual([1, 2]);
    expect(writes).toEqual([2]);
    expect(callbacks).toEqual([
      { conversation_id: 'web:resume', run_id: runId, dag_id: 'slow', status: 'success', result: { attempt: 2 } },
    ]);
    expect(await alive.status('slow', runId)).toEqual({ state: 'success', result: { attempt: 2 } });
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
