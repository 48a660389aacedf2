import { describe, expect, it } from 'vitest';
import { emit, setup } from 'xstate';
import { turnDuration, workflowDuration, workflowsStarted } from '../../core/metrics/registry.ts';
import type { ConversationEvent, ConversationModel } from '../../core/runtime/model.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import { conversationModel } from '../../machines/model.ts';
import { makeRuntime, message } from '../support/runtime-harness.ts';

/** A machine that repeats what it is told: core runs whatever model the composition root hands it. */
const echoMachine = setup({
  types: {
    context: {} as { pending: null },
    events: {} as ConversationEvent,
    input: {} as { conversationId: string },
  },
}).createMachine({
  id: 'echo',
  context: { pending: null },
  initial: 'listening',
  states: {
    listening: {
      on: {
        'user.message': {
          actions: emit(({ event }) => ({
            type: 'reply' as const,
            reply: { text: `eco: ${event.type === 'user.message' ? event.text : ''}` },
          })),
        },
      },
    },
  },
});

const echoModel: ConversationModel = {
  machine: echoMachine,
  version: 7,
  stateName: (value) => String(value),
  statusOf: () => 'idle',
  intentLabel: () => '',
  waitingOf: () => ({ pending: null, handoff: null }),
  conversationRestarted: () => ({ text: 'de nuevo' }),
};

/** The sum of a metric's samples whose labels include `labels`. */
async function sample(
  metric: { get(): Promise<{ values: { value: number; labels: object; metricName?: string }[] }> },
  labels: Record<string, string>,
  name?: string,
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter((v) => !name || v.metricName === name)
    .filter((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}
const turns = (labels: Record<string, string>) => sample(turnDuration, labels, 'omnibot_turn_duration_seconds_count');

describe('the conversation model seam', () => {
  it('runs any machine handed to it as a model, and stores its version', async () => {
    const store = createMemoryStore();
    const { runtime, delivered } = makeRuntime(store, { model: echoModel });
    const turn = await runtime.receive(message('eco', 'hola'));
    expect(turn.replies.map((r) => r.text)).toEqual(['eco: hola']);
    expect(delivered.map((m) => m.text)).toEqual(['eco: hola']);
    expect(await runtime.getConversation('web:eco')).toMatchObject({ state: 'listening', machineVersion: 7 });
  });

  it('restarts, with the model’s notice, a conversation stored by another model version', async () => {
    const store = createMemoryStore();
    await makeRuntime(store).runtime.receive(message('otra', 'hola'));
    const { runtime } = makeRuntime(store, { model: echoModel });
    const turn = await runtime.receive(message('otra', 'sigo aquí'));
    expect(turn.replies.map((r) => r.text)).toEqual(['de nuevo', 'eco: sigo aquí']);
  });

  it('labels turns with the model’s intent, and counts the workflow runs it starts and finishes', async () => {
    const greeting = { channel: 'web', event: 'user.message', intent: 'greeting' };
    const other = { channel: 'web', event: 'user.message', intent: 'other' };
    const answered = { channel: 'web', event: 'workflow.result', intent: '' };
    const dag = { dag: 'consultar_estado_ot' };
    const finished = { ...dag, outcome: 'success' };
    const before = {
      greeting: await turns(greeting),
      other: await turns(other),
      answered: await turns(answered),
      started: await sample(workflowsStarted, dag),
      finished: await sample(workflowDuration, finished, 'omnibot_workflow_duration_seconds_count'),
    };
    const { runtime, runner } = makeRuntime(createMemoryStore());
    await runtime.receive(message('lia', 'hola'));
    await runtime.receive(message('lia', '', { action: 'intent:no_existe' }));
    await runtime.receive(message('lia', 'estado OT-CORR-1'));
    const run = runner.triggers[0]!;
    await runtime.deliverWorkflowResult({
      conversation_id: 'web:lia',
      run_id: run.runId,
      dag_id: run.dagId,
      status: 'success',
      result: { found: false, numeroot: 'OT-CORR-1' },
    });

    expect(await turns(greeting)).toBe(before.greeting + 1);
    expect(await turns(other)).toBe(before.other + 1);
    expect(await turns(answered)).toBe(before.answered + 1);
    expect(await sample(workflowsStarted, dag)).toBe(before.started + 1);
    expect(await sample(workflowDuration, finished, 'omnibot_workflow_duration_seconds_count')).toBe(
      before.finished + 1,
    );
    expect(conversationModel.intentLabel({ type: 'agent.release', at: 0 })).toBe('');
  });
});
