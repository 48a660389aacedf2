import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../core/errors.ts';
import { topics } from '../../core/events/bus.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import { inbound, makeRuntime, message, redisStores, storeAsMachineVersion } from '../support/runtime-harness.ts';

const stores = redisStores('runtime');

describe('conversation runtime', () => {
  it('answers, persists and publishes a turn', async () => {
    const { runtime, delivered, bus } = makeRuntime(createMemoryStore());
    const published: unknown[] = [];
    bus.subscribe(topics.messages('web:ana'), (entry) => published.push(entry));
    const turn = await runtime.receive(message('ana', 'hola'));
    expect(turn.replies[0]?.text).toMatch(/Hola/);
    expect(turn.status).toBe('idle');
    expect(delivered).toHaveLength(1);
    expect(published).toHaveLength(2);
    const view = await runtime.getConversation('web:ana');
    expect(view).toMatchObject({ channel: 'web', userId: 'ana', state: 'idle', version: 1 });
  });

  it('loses no update when 50 messages for one conversation arrive at once (one process)', async () => {
    const { runtime } = makeRuntime(stores.open());
    const texts = Array.from({ length: 50 }, (_, i) => `mensaje ${i}`);
    await Promise.all(texts.map((text) => runtime.receive(message('carla', text))));
    const view = await runtime.getConversation('web:carla');
    expect(view?.version).toBe(50);
    expect(inbound(await runtime.transcript('web:carla', 500)).sort()).toEqual([...texts].sort());
  });

  it('loses no update when two processes share Redis and race on one conversation', async () => {
    const prefix = stores.newPrefix();
    const a = makeRuntime(stores.open(prefix)).runtime;
    const b = makeRuntime(stores.open(prefix)).runtime;
    const texts = Array.from({ length: 50 }, (_, i) => `texto ${i}`);
    await Promise.all(texts.map((text, i) => (i % 2 ? a : b).receive(message('diego', text))));
    const view = await a.getConversation('web:diego');
    expect(view?.version).toBe(50);
    const transcript = await b.transcript('web:diego', 500);
    expect(inbound(transcript).sort()).toEqual([...texts].sort());
    // Every inbound message got exactly one answer.
    expect(transcript.filter((e) => e.direction === 'out')).toHaveLength(50);
  });

  it('processes a duplicate message id once and answers it with the first answer', async () => {
    const { runtime, delivered } = makeRuntime(stores.open());
    const first = message('elena', 'consultar estado de OT-CORR-1');
    const [x, y] = await Promise.all([runtime.receive(first), runtime.receive({ ...first })]);
    const later = await runtime.receive({ ...first });
    expect([x.duplicate, y.duplicate].sort()).toEqual([false, true]);
    expect(later.duplicate).toBe(true);
    expect(later.replies).toEqual(x.duplicate ? y.replies : x.replies);
    expect((await runtime.getConversation('web:elena'))?.version).toBe(1);
    expect(delivered).toHaveLength(1);
  });

  it('continues a conversation after a restart, from Redis', async () => {
    const prefix = stores.newPrefix();
    const before = makeRuntime(stores.open(prefix)).runtime;
    await before.receive(message('fabian', 'reportar falla'));
    await before.receive(message('fabian', 'CAT-001'));

    const after = makeRuntime(stores.open(prefix)); // a new process: new connection, nothing in memory
    const turn = await after.runtime.receive(message('fabian', 'fuga de aceite en el cilindro del brazo'));
    expect(turn.replies[0]?.text).toMatch(/prioridad/);
    await after.runtime.receive(message('fabian', 'alta'));
    await after.runtime.receive(message('fabian', 'sí'));
    expect(after.runner.triggers[0]).toMatchObject({
      dagId: 'reportar_falla',
      conf: { conversation_id: 'web:fabian', params: { idequipo: 1, prioridad: 'Alta' } },
    });
  });

  it('applies a workflow result once and refuses stale or unknown runs with a conflict', async () => {
    const { runtime, runner, delivered } = makeRuntime(createMemoryStore());
    await runtime.receive(message('gabi', 'estado OT-CORR-1'));
    const run = runner.triggers[0]!;
    expect(run.conf.callback_url).toBe('http://127.0.0.1:1/api/bot/webhook');
    const callback = {
      conversation_id: 'web:gabi',
      run_id: run.runId,
      dag_id: run.dagId,
      status: 'success' as const,
      result: { found: false, numeroot: 'OT-CORR-1' },
    };
    const applied = await runtime.deliverWorkflowResult(callback);
    expect(applied.replies[0]?.text).toMatch(/No encontré la orden de trabajo OT-CORR-1/);
    const replay = await runtime.deliverWorkflowResult(callback);
    expect(replay.duplicate).toBe(true);
    expect(delivered.filter((m) => /No encontré/.test(m.text))).toHaveLength(1);

    await expect(runtime.deliverWorkflowResult({ ...callback, run_id: 'omnibot__other' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(runtime.deliverWorkflowResult({ ...callback, conversation_id: 'web:nadie' })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('times out a waiting conversation from the watcher check, past its deadline', async () => {
    let clock = 1_000_000;
    const { runtime, delivered } = makeRuntime(createMemoryStore(), { now: () => clock, workflowTimeoutMs: 5_000 });
    await runtime.receive(message('hugo', 'listar equipos'));
    await runtime.checkDeadlines('web:hugo');
    expect((await runtime.getConversation('web:hugo'))?.status).toBe('processing');
    clock += 5_001;
    await runtime.checkDeadlines('web:hugo');
    expect(delivered.at(-1)?.text).toMatch(/tardando más de lo esperado/);
    expect((await runtime.getConversation('web:hugo'))?.status).toBe('idle');
  });

  it('finishes a conversation whose run ended without calling back (status poll)', async () => {
    const store = createMemoryStore();
    const { runtime, runner, delivered } = makeRuntime(store);
    runner.status = async () => ({ state: 'failed', error: { code: 'cmms_unreachable', message: 'down' } });
    await runtime.receive(message('ines', 'estado OT-PREV-3'));
    await runtime.checkDeadlines('web:ines');
    expect(delivered.at(-1)?.text).toMatch(/el sistema de mantenimiento \(CMMS\) no responde\./);
  });

  it('restarts a conversation stored under an older machine version, with a notice', async () => {
    const store = createMemoryStore();
    const { runtime } = makeRuntime(store);
    await runtime.receive(message('jose', 'reportar falla'));
    await storeAsMachineVersion(store, 'web:jose', 0);
    const turn = await runtime.receive(message('jose', 'hola'));
    expect(turn.replies[0]?.text).toMatch(/El asistente se actualizó y reinicié nuestra conversación/);
    expect(turn.replies[1]?.text).toMatch(/Hola/);
    expect(turn.state).toBe('idle');
  });

  it('hands a conversation to a person and back', async () => {
    const { runtime, delivered } = makeRuntime(createMemoryStore());
    await expect(runtime.agentReply('web:kim', 'hola')).rejects.toBeInstanceOf(ConflictError);
    await runtime.receive(message('kim', 'quiero hablar con una persona'));
    const noted = await runtime.receive(message('kim', 'el camión no arranca'));
    expect(noted.replies[0]?.text).toMatch(/quedó registrado para el supervisor/);
    const silent = await runtime.receive(message('kim', 'está en la faena norte'));
    expect(silent.replies).toEqual([]);
    await runtime.agentReply('web:kim', 'Hola Kim, voy en camino');
    expect(delivered.at(-1)?.text).toBe('Operador: Hola Kim, voy en camino');
    const released = await runtime.releaseHandoff('web:kim');
    expect(released.status).toBe('idle');
  });
});

describe('conversation runtime under failure', () => {
  it('answers a hanging CMMS lookup with the lookup error, not a failed request', async () => {
    const { runtime } = makeRuntime(createMemoryStore(), {
      cmms: { findEquipment: () => new Promise(() => {}) },
      actorTimeoutMs: 50,
    });
    await runtime.receive(message('lara', 'reportar falla'));
    const turn = await runtime.receive(message('lara', 'CAT-001'));
    expect(turn.replies[0]?.text).toMatch(/No pude consultar los equipos en este momento/);
    expect(turn.state).toBe('reporting.equipment');
  });

  it('restarts a conversation whose snapshot cannot be restored, without crashing', async () => {
    const store = createMemoryStore();
    const { runtime } = makeRuntime(store);
    await runtime.receive(message('mia', 'reportar falla'));
    const stored = (await store.load('web:mia'))!;
    const broken = { ...(stored.snapshot as Record<string, unknown>), value: 'a-state-that-does-not-exist' };
    await store.commit('web:mia', stored.version, {
      snapshot: broken,
      meta: stored.meta,
      events: [],
      transcript: [],
      checkAt: null,
    });
    const turn = await runtime.receive(message('mia', 'hola'));
    expect(turn.replies.map((r) => r.text).join('\n')).toMatch(/reinicié nuestra conversación[\s\S]*Hola/);
    expect(turn.state).toBe('idle');
  });

  it('refuses (503) a conversation saved by a newer machine version instead of downgrading it', async () => {
    const store = createMemoryStore();
    const { runtime } = makeRuntime(store);
    await runtime.receive(message('nico', 'hola'));
    await storeAsMachineVersion(store, 'web:nico', 99);
    await expect(runtime.receive(message('nico', 'hola'))).rejects.toMatchObject({ status: 503 });
    expect((await store.load('web:nico'))?.meta.machineVersion).toBe(99);
  });

  it('processes a retried message that was waiting while the first attempt failed', async () => {
    const store = createMemoryStore();
    let failNext = true;
    const flaky = {
      ...store,
      commit: async (...args: Parameters<typeof store.commit>) => {
        if (failNext) {
          failNext = false;
          await new Promise((resolve) => setTimeout(resolve, 100));
          throw new Error('redis connection lost');
        }
        return store.commit(...args);
      },
    };
    const { runtime } = makeRuntime(flaky);
    const first = message('olga', 'hola');
    const firstAttempt = runtime.receive(first);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const retry = runtime.receive({ ...first }); // arrives while the first is still running
    await expect(firstAttempt).rejects.toThrow(/connection lost/);
    const answer = await retry;
    expect(answer.duplicate).toBe(false);
    expect(answer.replies[0]?.text).toMatch(/Hola/);
  });

  it('keeps one user from reading another user’s answer with a reused message id', async () => {
    const { runtime } = makeRuntime(createMemoryStore());
    await runtime.receive(message('alice', 'consultar estado de OT-CORR-1', { id: '1' }));
    const bob = await runtime.receive(message('bob', 'hola', { id: '1' }));
    expect(bob.duplicate).toBe(false);
    expect(bob.conversationId).toBe('web:bob');
    expect(bob.replies[0]?.text).toMatch(/Hola/);
  });

  it('takes a conversation off the watcher schedule when it has nothing pending any more', async () => {
    const store = createMemoryStore();
    const { runtime } = makeRuntime(store);
    await runtime.receive(message('pia', 'listar equipos'));
    const stored = (await store.load('web:pia'))!;
    const snapshot = stored.snapshot as { context: Record<string, unknown> };
    await store.commit('web:pia', stored.version, {
      snapshot: { ...snapshot, context: { ...snapshot.context, pending: null } },
      meta: stored.meta,
      events: [],
      transcript: [],
      checkAt: Date.now() - 1,
    });
    expect(await store.claimDueChecks(Date.now(), 0, 10)).toEqual(['web:pia']);
    await runtime.checkDeadlines('web:pia');
    expect(await store.claimDueChecks(Date.now() + 60_000, 0, 10)).toEqual([]);
  });
});

describe('message ids the gateway made up', () => {
  it('keeps no dedup record for a one-shot message (nothing will redeliver it)', async () => {
    const store = createMemoryStore();
    const claimed: string[] = [];
    const spying = {
      ...store,
      claimMessage: (conversationId: string, key: string, leaseMs: number) => {
        claimed.push(key);
        return store.claimMessage(conversationId, key, leaseMs);
      },
    };
    const { runtime } = makeRuntime(spying);
    const turn = await runtime.receive(message('rita', 'hola', { oneShot: true }));
    expect(turn.replies[0]?.text).toMatch(/Hola/);
    await runtime.receive(message('rita', 'hola'));
    expect(claimed).toHaveLength(1);
  });
});

describe('results that arrive late', () => {
  it('tells the user the order number of a report whose result came after the timeout', async () => {
    let clock = 2_000_000;
    const { runtime, runner, delivered } = makeRuntime(createMemoryStore(), {
      now: () => clock,
      workflowTimeoutMs: 5_000,
    });
    for (const text of ['reportar falla', 'CAT-001', 'fuga de aceite en el brazo', 'alta', 'si']) {
      await runtime.receive(message('sara', text));
    }
    clock += 6_000;
    await runtime.checkDeadlines('web:sara');
    expect(delivered.at(-1)?.text).toMatch(/tardando más de lo esperado/);
    const run = runner.triggers.at(-1)!;
    const late = await runtime.deliverWorkflowResult({
      conversation_id: 'web:sara',
      run_id: run.runId,
      dag_id: run.dagId,
      status: 'success',
      result: {
        order: {
          numeroot: 'OT-CORR-CAT-001-20261125101500-70',
          equipo_nombre: 'Excavadora CAT 320',
          prioridad: 'Alta',
          estado_nombre: 'Abierta',
        },
      },
    });
    expect(late.replies[0]?.text).toMatch(
      /^Sobre tu reporte anterior, que dejé de esperar: Se creó la orden de trabajo OT-CORR-CAT-001-20261125101500-70/,
    );
    expect(late.state).toBe('idle');
  });
});

describe('hand-offs nobody answers', () => {
  it('go back to the assistant with a notice once the hand-off timeout passes without a person writing', async () => {
    let clock = 3_000_000;
    const store = createMemoryStore();
    const { runtime, delivered } = makeRuntime(store, { now: () => clock, handoffTimeoutMs: 60_000 });
    await runtime.receive(message('tomas', 'quiero hablar con un supervisor'));
    clock += 50_000;
    await runtime.agentReply('web:tomas', 'Hola Tomás, ¿qué equipo?'); // a person wrote: the clock restarts
    clock += 50_000;
    expect(await store.claimDueChecks(clock, 0, 10)).toEqual([]);
    await runtime.checkDeadlines('web:tomas');
    expect((await runtime.getConversation('web:tomas'))?.status).toBe('handoff');
    clock += 10_001;
    expect(await store.claimDueChecks(clock, 0, 10)).toEqual(['web:tomas']);
    await runtime.checkDeadlines('web:tomas');
    expect(delivered.at(-1)?.text).toMatch(/^Ningún supervisor pudo responder por este medio todavía/);
    expect((await runtime.getConversation('web:tomas'))?.status).toBe('idle');
    await runtime.checkDeadlines('web:tomas');
    expect(await store.claimDueChecks(clock + 3_600_000, 0, 10)).toEqual([]);
  });
});
