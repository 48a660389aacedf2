import { describe, expect, it } from 'vitest';
import { assign, emit, setup } from 'xstate';
import type { ConversationEvent, ConversationInput, ConversationModel, PendingRun } from '../../core/runtime/model.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import { makeRuntime, message } from '../support/runtime-harness.ts';

/**
 * A rolling deploy: processes of two machine versions share the store. The newer one continues the
 * conversations of the versions it reads (`readsVersions`); the older one never restarts, nor
 * overwrites, a conversation the newer one saved (503 with Retry-After, until the deploy ends).
 */

const said = (event: ConversationEvent) => (event.type === 'user.message' ? (event.text ?? '') : '');
const reply = (text: string) => ({ type: 'reply' as const, reply: { text } });

/** Version 1 talks; version 2 adds `esperando` (a run) and answers with its own prefix. */
function versionedModel(version: number, readsVersions?: number[]): ConversationModel {
  const machine = setup({
    types: {
      context: {} as { pending: PendingRun | null },
      events: {} as ConversationEvent,
      input: {} as ConversationInput,
    },
  }).createMachine({
    id: 'versioned',
    context: { pending: null },
    initial: 'hablando',
    states: {
      hablando: {
        on: {
          'user.message': [
            {
              guard: ({ event }) => version > 1 && said(event) === 'esperar',
              target: version > 1 ? 'esperando' : 'hablando', // version 1 never takes it
              actions: assign({
                pending: ({ event }) => ({
                  dagId: 'd',
                  runId: 'r',
                  params: {},
                  startedAt: event.at,
                  deadline: event.at,
                }),
              }),
            },
            { actions: emit(({ event }) => reply(`v${version}: ${said(event)}`)) },
          ],
        },
      },
      // Only version 2 has it.
      ...(version === 1
        ? {}
        : { esperando: { on: { 'workflow.timeout': 'hablando', 'workflow.result': 'hablando' } } }),
    },
  });
  return {
    machine,
    version,
    ...(readsVersions ? { readsVersions } : {}),
    stateName: (value) => String(value),
    statusOf: () => 'idle',
    intentLabel: () => '',
    waitingOf: (persisted) => ({
      pending: (persisted as { context?: { pending?: PendingRun } } | undefined)?.context?.pending ?? null,
      handoff: null,
    }),
    conversationRestarted: () => ({ text: 'reinicié' }),
  };
}

const V1 = versionedModel(1);
const V2 = versionedModel(2, [1]);

describe('a newer machine version that reads the older one (readsVersions)', () => {
  it('continues the older conversation as it is, and saves it under its own version', async () => {
    const store = createMemoryStore();
    await makeRuntime(store, { model: V1 }).runtime.receive(message('eva', 'hola'));
    const { runtime } = makeRuntime(store, { model: V2 });
    const turn = await runtime.receive(message('eva', 'sigo'));
    expect(turn.replies.map((r) => r.text)).toEqual(['v2: sigo']); // no restart notice
    expect(await runtime.getConversation('web:eva')).toMatchObject({ version: 2, machineVersion: 2 });
    expect((await store.readEvents('web:eva')).map((e) => e.stateBefore)).toEqual([null, 'hablando']);
  });

  it('still restarts a conversation of an older version it does not read', async () => {
    const store = createMemoryStore();
    await makeRuntime(store, { model: V1 }).runtime.receive(message('eva', 'hola'));
    const { runtime } = makeRuntime(store, { model: versionedModel(3, [2]) });
    expect((await runtime.receive(message('eva', 'sigo'))).replies.map((r) => r.text)).toEqual([
      'reinicié',
      'v3: sigo',
    ]);
  });
});

describe('an older process meeting a conversation a newer version saved', () => {
  /** The conversation as the newer process left it: in a state the older machine does not have. */
  async function savedByV2(store: ConversationStore) {
    const { runtime } = makeRuntime(store, { model: V2 });
    await runtime.receive(message('eva', 'hola'));
    await runtime.receive(message('eva', 'esperar'));
    return {
      stored: await store.load('web:eva'),
      transcript: await store.readTranscript('web:eva'),
      events: await store.readEvents('web:eva'),
    };
  }
  const unchanged = async (store: ConversationStore, before: Awaited<ReturnType<typeof savedByV2>>) => {
    expect(await store.load('web:eva')).toEqual(before.stored);
    expect(await store.readTranscript('web:eva')).toEqual(before.transcript);
    expect(await store.readEvents('web:eva')).toEqual(before.events);
  };

  it('refuses a user message with 503 and Retry-After, restarting and overwriting nothing', async () => {
    const store = createMemoryStore();
    const before = await savedByV2(store);
    expect(before.stored).toMatchObject({ snapshot: { value: 'esperando' }, meta: { machineVersion: 2 } });
    const old = makeRuntime(store, { model: V1 });
    await expect(old.runtime.receive(message('eva', 'sí'))).rejects.toMatchObject({
      status: 503,
      code: 'machine_version_newer',
      retryAfterMs: 5_000,
    });
    await unchanged(store, before);
    expect(old.delivered).toEqual([]);
  });

  it('refuses a workflow result too, and its watcher leaves the conversation for a newer process', async () => {
    const store = createMemoryStore();
    const before = await savedByV2(store);
    const old = makeRuntime(store, { model: V1 });
    const callback = { conversation_id: 'web:eva', run_id: 'r', dag_id: 'd', status: 'success' as const, result: {} };
    await expect(old.runtime.deliverWorkflowResult(callback)).rejects.toMatchObject({ status: 503 });
    await old.runtime.checkDeadlines('web:eva'); // its run's deadline is due: the timeout turn is refused
    await unchanged(store, before);
    expect(old.delivered).toEqual([]);

    // The newer process still takes the result (the refused attempt released its claim).
    const turn = await makeRuntime(store, { model: V2 }).runtime.deliverWorkflowResult(callback);
    expect(turn.duplicate).toBe(false);
  });
});
