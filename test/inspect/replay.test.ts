import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ReplayVersionError, replayEventLog } from '../../core/inspect/replay.ts';
import { conversationModel } from '../../machines/model.ts';
import { REDIS_URL } from '../support/redis.ts';
import { makeRuntime, message, redisStores } from '../support/runtime-harness.ts';

const stores = redisStores('replay');
const prefix = stores.newPrefix();
const store = () => stores.open(prefix);

/** Records a conversation through the real runtime (Redis), returning its id. */
async function record(user: string, steps: (h: ReturnType<typeof makeRuntime>) => Promise<void>) {
  const harness = makeRuntime(store());
  await steps(harness);
  return `web:${user}`;
}

const succeed = (h: ReturnType<typeof makeRuntime>, conversationId: string, result: unknown) => {
  const run = h.runner.triggers.at(-1)!;
  return h.runtime.deliverWorkflowResult({
    conversation_id: conversationId,
    run_id: run.runId,
    dag_id: run.dagId,
    status: 'success',
    result,
  });
};

describe('replay of recorded conversations', () => {
  it('reproduces the stored state of every recorded conversation, step by step', async () => {
    const ids = [
      await record('r-status', async (h) => {
        await h.runtime.receive(message('r-status', 'hola'));
        await h.runtime.receive(message('r-status', 'consultar estado de OT-CORR-1'));
        await h.runtime.receive(message('r-status', '¿ya está?'));
        await succeed(h, 'web:r-status', { found: false, numeroot: 'OT-CORR-1' });
      }),
      await record('r-report', async (h) => {
        await h.runtime.receive(message('r-report', 'reportar falla'));
        await h.runtime.receive(message('r-report', 'XYZ-1'));
        await h.runtime.receive(message('r-report', 'CAT-001'));
        await h.runtime.receive(message('r-report', 'corto'));
        await h.runtime.receive(message('r-report', 'fuga de aceite en el brazo'));
        await h.runtime.receive(message('r-report', 'Alta', { action: 'priority:alta' }));
        await h.runtime.receive(message('r-report', 'Confirmar', { action: 'confirm:yes' }));
        const run = h.runner.triggers.at(-1)!;
        await h.runtime.deliverWorkflowResult({
          conversation_id: 'web:r-report',
          run_id: run.runId,
          dag_id: run.dagId,
          status: 'failed',
          error: { code: 'cmms_unreachable', message: 'down' },
        });
      }),
      await record('r-cancel', async (h) => {
        await h.runtime.receive(message('r-cancel', 'reportar falla'));
        await h.runtime.receive(message('r-cancel', 'CAT-001'));
        await h.runtime.receive(message('r-cancel', 'cancelar'));
        await h.runtime.receive(message('r-cancel', 'estado'));
      }),
      await record('r-handoff', async (h) => {
        await h.runtime.receive(message('r-handoff', 'hablar con un supervisor'));
        await h.runtime.receive(message('r-handoff', 'la grúa no levanta'));
        await h.runtime.agentReply('web:r-handoff', 'Voy a revisar');
        await h.runtime.recordDeliveryStatus('web:r-handoff', { messageId: 'x', status: 'read', at: 'now' });
      }),
    ];
    const reader = store();
    for (const id of ids) {
      const stored = await reader.load(id);
      const { runtime } = makeRuntime(reader);
      const view = await runtime.getConversation(id);
      const result = await replayEventLog(conversationModel, id, await reader.readEvents(id));
      expect(result.matches, id).toBe(true);
      expect(result.finalState, id).toBe(view!.state);
      expect(result.timeline.length, id).toBe(stored!.version);
    }
  });

  it('shows what was said at each step', async () => {
    const id = await record('r-texts', async (h) => {
      await h.runtime.receive(message('r-texts', 'hola'));
      await h.runtime.receive(message('r-texts', 'reportar falla'));
    });
    const { timeline } = await replayEventLog(conversationModel, id, await store().readEvents(id));
    expect(timeline.map((t) => [t.channel, t.event, t.replayedState])).toEqual([
      ['web', 'user.message "hola"', 'idle'],
      ['web', 'user.message "reportar falla"', 'reporting.equipment'],
    ]);
    expect(timeline[1]!.replies[0]).toMatch(/¿En qué equipo\?/);
  });

  it('refuses with a clear message to replay events of another machine version', async () => {
    const id = await record('r-old', async (h) => {
      await h.runtime.receive(message('r-old', 'hola'));
    });
    const log = (await store().readEvents(id)).map((e) => ({ ...e, machineVersion: 0 }));
    const replay = replayEventLog(conversationModel, id, log);
    await expect(replay).rejects.toBeInstanceOf(ReplayVersionError);
    await expect(replay).rejects.toThrow(
      new RegExp(`processed by machine version 0, this build runs version ${conversationModel.version}`),
    );
  });

  it('prints the timeline from the CLI (npm run inspect), and exits 2 for an unknown conversation', async () => {
    const id = await record('r-cli', async (h) => {
      await h.runtime.receive(message('r-cli', 'hola'));
      await h.runtime.receive(message('r-cli', 'estado OT-PREV-3'));
    });
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['scripts/inspect.ts', ...args], {
          env: { PATH: process.env.PATH ?? '', REDIS_URL, REDIS_KEY_PREFIX: prefix },
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code, out }));
      });
    const ok = await run([id]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/web\s+user\.message "hola"\s+idle ✓/);
    expect(ok.out).toMatch(/user\.message "estado OT-PREV-3"\s+workflow\.waiting ✓/);
    expect(ok.out).toMatch(/replay matches the recorded states; final state: workflow\.waiting/);
    const missing = await run(['web:nobody']);
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/conversation web:nobody not found/);
  });
});
