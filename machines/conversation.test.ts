import { describe, expect, it } from 'vitest';
import { type AnyActorRef, createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import { DEMO_CAT_001 } from '../core/cmms/demo-data.ts';
import type { EquipmentSummary } from '../core/workflows/results.ts';
import {
  type ConversationEvent,
  conversationMachine,
  type FindEquipmentInput,
  type ReplyEmitted,
  type StartWorkflowInput,
  stateName,
  statusOf,
} from './conversation.ts';
import snapshotV1Reporting from './fixtures/snapshot-v1-reporting.json' with { type: 'json' };

const excavator = DEMO_CAT_001;
/** The result of a failure report that created its order. */
const CREATED_ORDER = {
  order: {
    numeroot: 'OT-CORR-CAT-001-20261125-9',
    equipo_nombre: 'Excavadora CAT 320',
    prioridad: 'Alta',
    estado_nombre: 'Abierta',
  },
};
const truck = { ...excavator, idequipo: 2, codigointerno: 'KOM-002', nombreequipo: 'Camión Komatsu 930E' };

function harness(
  opts: { failStart?: boolean; equipment?: EquipmentSummary[]; clock?: SimulatedClock; snapshot?: unknown } = {},
) {
  const started: StartWorkflowInput[] = [];
  const machine = conversationMachine.provide({
    actors: {
      startWorkflow: fromPromise<void, StartWorkflowInput>(async ({ input }) => {
        started.push(input);
        if (opts.failStart) throw Object.assign(new Error('paused'), { reason: 'dag_paused' });
      }),
      findEquipment: fromPromise<EquipmentSummary[], FindEquipmentInput>(async ({ input }) =>
        (opts.equipment ?? [excavator, truck]).filter((e) =>
          `${e.codigointerno} ${e.nombreequipo}`.toLowerCase().includes(input.query.toLowerCase()),
        ),
      ),
    },
  });
  const actor = createActor(machine, {
    input: { conversationId: 'web:u1', workflowTimeoutMs: 60_000, now: 1_700_000_000_000 },
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.snapshot ? { snapshot: opts.snapshot as never } : {}),
  });
  const texts: string[] = [];
  const buttons: string[][] = [];
  actor.on('reply', (e: ReplyEmitted) => {
    texts.push(e.reply.text);
    buttons.push((e.reply.buttons ?? []).map((b) => b.id));
  });
  actor.start();
  const settle = () => waitFor(actor as AnyActorRef, (s) => !s.hasTag('busy'));
  const say = async (text: string, action?: string) => {
    texts.length = 0;
    buttons.length = 0;
    actor.send({ type: 'user.message', text, ...(action ? { action } : {}), at: Date.now() });
    await settle();
    return texts.join('\n');
  };
  const send = async (event: ConversationEvent) => {
    texts.length = 0;
    actor.send(event);
    await settle();
    return texts.join('\n');
  };
  const state = () => stateName(actor.getSnapshot().value);
  return { actor, started, say, send, state, buttons, texts };
}

describe('conversation machine', () => {
  it('greets and offers its main actions as buttons', async () => {
    const h = harness();
    expect(await h.say('hola')).toMatch(/Hola.*asistente de mantenimiento/s);
    expect(h.buttons[0]).toContain('intent:report_failure');
    expect(h.state()).toBe('idle');
  });

  it('lists what it can do on help and on unknown input', async () => {
    const h = harness();
    const help = await h.say('ayuda');
    expect(help).toMatch(/Reportar una falla/);
    expect(help).toMatch(/Consultar el estado de una OT/);
    expect(help).toMatch(/Listar los equipos/);
    expect(await h.say('blablabla')).toMatch(/No entendí tu mensaje.*Reportar una falla/s);
  });

  it('runs the status workflow and answers with the order state', async () => {
    const h = harness();
    const processing = await h.say('consultar estado de OT-CORR-1');
    expect(processing).toMatch(/Procesando.*OT-CORR-1/);
    expect(h.state()).toBe('workflow.waiting');
    expect(statusOf(h.actor.getSnapshot())).toBe('processing');
    const [run] = h.started;
    expect(run).toMatchObject({ dagId: 'consultar_estado_ot', params: { numeroot: 'OT-CORR-1' } });

    const answer = await h.send({
      type: 'workflow.result',
      runId: run!.runId,
      dagId: run!.dagId,
      status: 'success',
      result: {
        found: true,
        order: {
          idordentrabajo: 1,
          numeroot: 'OT-CORR-1',
          equipo_nombre: 'Excavadora CAT 320',
          estado_nombre: 'En Progreso',
          tipo_mantenimiento_nombre: 'Correctivo',
          prioridad: 'Alta',
          tecnico_nombre: 'Juan Pérez',
          fechacreacionot: null,
          descripcionproblemareportado: null,
        },
      },
      at: Date.now(),
    });
    expect(answer).toBe(
      'La orden de trabajo OT-CORR-1 para el equipo Excavadora CAT 320 se encuentra en estado: En Progreso.\nTipo: Correctivo · Prioridad: Alta · Técnico: Juan Pérez',
    );
    expect(h.state()).toBe('idle');
  });

  it('asks for the OT number when it is missing, and lets the user change topic', async () => {
    const h = harness();
    expect(await h.say('consultar estado')).toMatch(/número de la orden/);
    expect(await h.say('no sé')).toMatch(/No reconocí/);
    expect(await h.say('ot prev 3')).toMatch(/Procesando.*OT-PREV-3/);

    const other = harness();
    await other.say('estado');
    expect(await other.say('reportar falla')).toMatch(/¿En qué equipo\?/);
    expect(other.state()).toBe('reporting.equipment');
  });

  it('ignores results of other runs', async () => {
    const h = harness();
    await h.say('estado OT-CORR-1');
    const before = h.actor.getSnapshot();
    expect(
      before.can({ type: 'workflow.result', runId: 'other', dagId: 'consultar_estado_ot', status: 'success', at: 0 }),
    ).toBe(false);
  });

  it('walks the failure report: equipment → description → priority → confirmation → workflow', async () => {
    const h = harness();
    expect(await h.say('reportar falla')).toMatch(/¿En qué equipo\?/);
    expect(await h.say('XYZ-999')).toMatch(/No encontré ningún equipo.*XYZ-999/);
    expect(await h.say('cat-001')).toMatch(/Equipo: CAT-001 — Excavadora CAT 320.*Describe la falla/s);
    expect(await h.say('ruido')).toMatch(/al menos 10 caracteres/);
    expect(await h.say('Pérdida de aceite hidráulico en el brazo')).toMatch(/prioridad/);
    expect(h.buttons[0]).toEqual(['priority:baja', 'priority:media', 'priority:alta', 'priority:critica']);
    expect(await h.say('depende')).toMatch(/No reconocí la prioridad/);
    const confirm = await h.say('Alta', 'priority:alta');
    expect(confirm).toMatch(/Prioridad: Alta.*¿Confirmas\?/s);
    expect(h.buttons[0]).toEqual(['confirm:yes', 'confirm:no']);
    expect(await h.say('quizás')).toMatch(/Responde "sí"/);
    expect(await h.say('Confirmar', 'confirm:yes')).toMatch(/registrando la falla/);
    expect(h.started[0]).toMatchObject({
      dagId: 'reportar_falla',
      params: { idequipo: 1, descripcion: 'Pérdida de aceite hidráulico en el brazo', prioridad: 'Alta' },
    });
  });

  it('offers buttons when several equipment match and takes the pressed one', async () => {
    const h = harness({ equipment: [excavator, truck] });
    await h.say('reportar falla');
    expect(await h.say('00')).toMatch(/Encontré varios equipos/);
    expect(h.buttons[0]).toEqual(['equipment:1', 'equipment:2']);
    expect(await h.say('KOM-002', 'equipment:2')).toMatch(/Camión Komatsu 930E/);
    expect(h.state()).toBe('reporting.description');
  });

  it('lists every equipment when the user asks for the list at the equipment question', async () => {
    const h = harness();
    await h.say('reportar falla');
    expect(await h.say('ver equipos')).toMatch(/Encontré varios equipos/);
    expect(h.buttons[0]).toEqual(['equipment:1', 'equipment:2']);
  });

  it('cancels from every waiting state', async () => {
    const paths: string[][] = [
      ['estado'],
      ['reportar falla'],
      ['reportar falla', 'CAT-001'],
      ['reportar falla', 'CAT-001', 'fuga de aceite en el motor'],
      ['reportar falla', 'CAT-001', 'fuga de aceite en el motor', '3'],
      ['estado OT-CORR-1'],
    ];
    for (const path of paths) {
      const h = harness();
      for (const text of path) await h.say(text);
      expect(h.state()).not.toBe('idle');
      expect(await h.say('cancelar')).toMatch(/cancelé|no reporté|dejé de esperar/);
      expect(h.state()).toBe('idle');
    }
    expect(await harness().say('cancelar')).toMatch(/No hay nada en curso/);
  });

  it('tells the user when the workflow cannot start', async () => {
    const h = harness({ failStart: true });
    const text = await h.say('listar equipos');
    expect(text).toMatch(/pausado/);
    expect(h.state()).toBe('idle');
  });

  it('answers a failed workflow with a clear error', async () => {
    const h = harness();
    await h.say('estado OT-CORR-1');
    const run = h.started[0]!;
    const text = await h.send({
      type: 'workflow.result',
      runId: run.runId,
      dagId: run.dagId,
      status: 'failed',
      error: { code: 'cmms_unreachable', message: 'connection refused' },
      at: Date.now(),
    });
    expect(text).toMatch(/No pude consultar la orden de trabajo: el sistema de mantenimiento \(CMMS\) no responde\./);
  });

  it('times out with the simulated clock and tells the user', async () => {
    const clock = new SimulatedClock();
    const h = harness({ clock });
    await h.say('estado OT-CORR-1');
    clock.increment(59_000);
    expect(h.state()).toBe('workflow.waiting');
    h.texts.length = 0;
    clock.increment(1_000);
    expect(h.texts.join()).toMatch(/tardando más de lo esperado/);
    expect(h.state()).toBe('idle');
  });

  it('still tells the user the order number of a report that ended after the timeout', async () => {
    const clock = new SimulatedClock();
    const h = harness({ clock });
    for (const text of ['reportar falla', 'CAT-001', 'fuga de aceite en el brazo', 'alta', 'si']) await h.say(text);
    const run = h.started[0]!;
    clock.increment(60_000);
    expect(h.state()).toBe('idle');
    const late = {
      type: 'workflow.result' as const,
      runId: run.runId,
      dagId: run.dagId,
      status: 'success' as const,
      result: CREATED_ORDER,
      at: Date.now(),
    };
    expect(h.actor.getSnapshot().can(late)).toBe(true);
    expect(await h.send(late)).toMatch(
      /^Sobre tu reporte anterior, que dejé de esperar: Se creó la orden de trabajo OT-CORR-CAT-001-20261125-9/,
    );
    // A result of another conversation's run is still refused.
    expect(h.actor.getSnapshot().can({ ...late, runId: 'omnibot__web_other__tx-1' })).toBe(false);
  });

  it('times out on the runtime watcher event too', async () => {
    const h = harness();
    await h.say('estado OT-CORR-1');
    const text = await h.send({ type: 'workflow.timeout', runId: h.started[0]!.runId, at: Date.now() });
    expect(text).toMatch(/tardando más de lo esperado/);
  });

  it('hands off to a person and back', async () => {
    const h = harness();
    expect(await h.say('quiero hablar con un supervisor')).toMatch(/Un supervisor revisará/);
    expect(statusOf(h.actor.getSnapshot())).toBe('handoff');
    expect(await h.say('la excavadora sigue detenida')).toMatch(/quedó registrado para el supervisor/);
    expect(await h.say('está en la faena norte')).toBe('');
    // Signed with the person's label; none given: "Operador".
    expect(await h.send({ type: 'agent.message', text: 'Hola, soy Ana. ¿Qué equipo?', at: Date.now() })).toBe(
      'Operador: Hola, soy Ana. ¿Qué equipo?',
    );
    expect(await h.say('menu')).toMatch(/Volviste al asistente/);
    expect(h.state()).toBe('idle');
  });

  it('leaves a hand-off when the runtime expires it', async () => {
    const h = harness();
    await h.say('hablar con un supervisor');
    expect(await h.send({ type: 'handoff.expire', at: Date.now() })).toMatch(/Ningún supervisor pudo responder/);
    expect(h.state()).toBe('idle');
  });

  it('leaves a hand-off on "cancelar" too', async () => {
    const h = harness();
    await h.say('hablar con una persona');
    expect(await h.say('cancelar')).toMatch(/Volviste al asistente/);
    expect(h.state()).toBe('idle');
  });

  it('refuses buttons of an earlier question and takes main-menu buttons as a new topic', async () => {
    const h = harness();
    await h.say('reportar falla');
    await h.say('CAT-001');
    expect(await h.say('Confirmar', 'confirm:yes')).toMatch(/Esa opción es de una pregunta anterior/);
    expect(h.state()).toBe('reporting.description');
    expect(await h.say('Alta', 'priority:alta')).toMatch(/Esa opción es de una pregunta anterior/);
    expect(await h.say('Listar equipos', 'intent:list_equipment')).toMatch(/consultando la lista de equipos/);
    expect(h.started[0]?.dagId).toBe('listar_equipos');
  });

  it('lets the user ask for a person in the middle of a report', async () => {
    const h = harness();
    await h.say('reportar falla');
    await h.say('CAT-001');
    expect(await h.say('quiero hablar con un supervisor')).toMatch(/Un supervisor revisará/);
    expect(h.state()).toBe('handoff');
  });

  it("once a person answered, leaves the user's messages to them, and says who ended the hand-off", async () => {
    const h = harness();
    await h.say('quiero hablar con un supervisor');
    await h.send({
      type: 'agent.message',
      text: 'Hola, ¿qué equipo?',
      agent: { name: 'Ana', role: 'supervisora' },
      at: Date.now(),
    });
    // The assistant does not break in with "Tu mensaje quedó registrado…" once Ana answers.
    expect(await h.say('gracias, la CAT-001')).toBe('');
    expect(await h.send({ type: 'agent.release', at: Date.now() })).toMatch(
      /^Ana \(supervisora\) terminó la atención; desde ahora te responde el asistente automático\./,
    );
    expect(h.state()).toBe('idle');
  });

  it('says "el supervisor" ended a hand-off nobody answered', async () => {
    const h = harness();
    await h.say('quiero hablar con un supervisor');
    expect(await h.send({ type: 'agent.release', at: Date.now() })).toMatch(/^El supervisor terminó la atención/);
  });

  it('answers thanks briefly', async () => {
    expect(await harness().say('muchas gracias')).toBe('¡De nada! Si necesitas algo más, escríbeme.');
  });

  it('survives a JSON round trip of its snapshot mid-flow', async () => {
    const first = harness();
    await first.say('reportar falla');
    await first.say('CAT-001');
    const persisted = JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot()));
    first.actor.stop();

    const restored = harness({ snapshot: persisted });
    expect(restored.state()).toBe('reporting.description');
    expect(await restored.say('vibración fuerte en la tornamesa')).toMatch(/prioridad/);
    await restored.say('2');
    await restored.say('sí');
    expect(restored.started[0]).toMatchObject({ dagId: 'reportar_falla', params: { idequipo: 1, prioridad: 'Media' } });
  });

  it('restores a snapshot persisted before the machine was split into state files, and finishes the report', async () => {
    // Persisted by the single-file machine (MACHINE_VERSION 1) after "reportar falla" → "CAT-001": a
    // conversation stored in Redis before a refactor must continue after it.
    const restored = harness({ snapshot: snapshotV1Reporting });
    expect(restored.state()).toBe('reporting.description');
    expect(restored.actor.getSnapshot().context.draft.equipment).toEqual(excavator);
    expect(await restored.say('Pérdida de aceite hidráulico en el brazo')).toMatch(/prioridad/);
    expect(await restored.say('Alta', 'priority:alta')).toMatch(/Equipo: CAT-001.*Prioridad: Alta.*¿Confirmas\?/s);
    expect(await restored.say('sí')).toMatch(/registrando la falla/);
    expect(restored.state()).toBe('workflow.waiting');
    const run = restored.started[0]!;
    expect(run).toMatchObject({
      conversationId: 'web:u1',
      dagId: 'reportar_falla',
      // The epoch persisted in the fixture keeps run ids apart from any earlier conversation's.
      runId: `omnibot__web_u1__t${(1_700_000_000_000).toString(36)}-1`,
      params: {
        idequipo: 1,
        codigointerno: 'CAT-001',
        descripcion: 'Pérdida de aceite hidráulico en el brazo',
        prioridad: 'Alta',
      },
    });
    const result = await restored.send({
      type: 'workflow.result',
      runId: run.runId,
      dagId: run.dagId,
      status: 'success',
      result: CREATED_ORDER,
      at: Date.now(),
    });
    expect(result).toMatch(/Se creó la orden de trabajo OT-CORR-CAT-001-20261125-9/);
    expect(restored.state()).toBe('idle');
  });

  it('derives distinct run ids per workflow and per conversation epoch', async () => {
    const h = harness();
    await h.say('estado OT-CORR-1');
    await h.say('cancelar');
    await h.say('estado OT-CORR-1');
    const [a, b] = h.started;
    expect(a!.runId).not.toBe(b!.runId);
    expect(a!.runId).toMatch(/^omnibot__web_u1__[a-z0-9]+-1$/);
  });
});
