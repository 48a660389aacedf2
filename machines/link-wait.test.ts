/**
 * While a request waits for the user to link their account: questions for information are answered
 * and the request kept; another action drops it, said so; a fresh link is offered plainly.
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, SimulatedClock, waitFor } from 'xstate';
import { harness, LINK_URL, OPERATOR, TECHNICIAN } from '../test/support/machine-harness.ts';

const STATUS = {
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
};

async function waitingForReport() {
  const h = harness({ policy: 'report' });
  await h.say('reportar falla');
  expect(h.state()).toBe('linking.waiting');
  return h;
}

describe('a request waiting for the link', () => {
  it('lets a status check through, then waits again and goes on once linked', async () => {
    const h = await waitingForReport();
    const text = await h.say('estado de OT-CORR-1');
    expect(text).not.toMatch(/Sigo esperando/);
    expect(h.started[0]).toMatchObject({ dagId: 'consultar_estado_ot', params: { numeroot: 'OT-CORR-1' } });
    expect(await h.finish({ result: STATUS })).toMatch(/OT-CORR-1/);
    expect(h.state()).toBe('linking.waiting');
    expect(await h.link(OPERATOR)).toMatch(/Sigo con tu solicitud\.\n.*¿En qué equipo\?/s);
    expect(h.state()).toBe('reporting.equipment');
  });

  it('answers a greeting and help in place, keeping the request', async () => {
    const h = await waitingForReport();
    expect(await h.say('hola')).toMatch(/^¡Hola!/);
    expect(await h.say('ayuda')).toMatch(/^Esto es lo que puedo hacer/);
    expect(h.state()).toBe('linking.waiting');
    expect(await h.link(OPERATOR)).toMatch(/¿En qué equipo\?/);
  });

  it('goes on after the answer when the user linked while a list was being read', async () => {
    const h = await waitingForReport();
    await h.say('OT pendientes');
    expect(h.started[0]?.dagId).toBe('listar_ot_pendientes');
    expect(await h.link(OPERATOR)).toMatch(/^Listo, Pedro Soto \(Operador\): tu cuenta quedó vinculada\. Sigo con/);
    expect(h.state()).toBe('workflow.waiting');
    expect(await h.finish({ result: { orders: [], total: 0 } })).toMatch(/¿En qué equipo\?/);
    expect(h.state()).toBe('reporting.equipment');
  });

  it('sends a kept report once a list read meanwhile timed out, counting from the link', async () => {
    const clock = new SimulatedClock();
    const h = harness({ policy: 'report', identity: TECHNICIAN, clock });
    for (const text of ['reportar falla', 'CAT-001', 'Pérdida de aceite hidráulico en el brazo', 'alta']) {
      await h.say(text);
    }
    h.user.identity = { ...TECHNICIAN, expired: true };
    await h.say('sí');
    expect(h.state()).toBe('linking.waiting');
    await h.say('listar equipos');
    await h.link(TECHNICIAN);
    clock.increment(60_000);
    await waitFor(h.actor as AnyActorRef, (snapshot) => snapshot.matches({ workflow: 'waiting' }));
    expect(h.started.map((run) => run.dagId)).toEqual(['listar_equipos', 'reportar_falla']);
    const { pending } = h.persisted().context;
    expect(Number.isFinite(pending.deadline)).toBe(true);
    expect(pending.deadline - pending.startedAt).toBe(60_000);
    expect(h.state()).toBe('workflow.waiting');
  });

  it('a status question without a number asks for it, then waits again', async () => {
    const h = await waitingForReport();
    await h.say('estado');
    expect(h.state()).toBe('askingWorkOrder');
    await h.say('OT-CORR-1');
    await h.finish({ result: STATUS });
    expect(h.state()).toBe('linking.waiting');
  });

  it('survives a JSON round trip while a status check runs', async () => {
    const first = await waitingForReport();
    await first.say('estado de OT-CORR-1');
    const restored = harness({ policy: 'report', snapshot: first.persisted() });
    await restored.send({
      type: 'workflow.result',
      runId: first.started[0]!.runId,
      dagId: 'consultar_estado_ot',
      status: 'success',
      result: STATUS,
      at: 1_700_000_100_000,
    });
    expect(restored.state()).toBe('linking.waiting');
  });

  it('drops the request, said so, for another action', async () => {
    const h = await waitingForReport();
    expect(await h.say('borrar mis datos')).toMatch(
      /^Dejé sin hacer tu solicitud anterior \(esperaba que vincularas tu cuenta\)\.\nVoy a borrar tus datos/,
    );
    expect(h.state()).toBe('erasing.confirming');
    await h.say('no');
    expect(await h.link(OPERATOR)).toMatch(/Ahora puedo ayudarte con/);
  });

  it('"vincular cuenta" gives a fresh link without repeating why', async () => {
    const h = await waitingForReport();
    const text = await h.say('vincular cuenta');
    expect(text).toMatch(/^Aquí tienes un enlace nuevo para vincular tu cuenta del CMMS/);
    expect(text).toContain(LINK_URL);
    expect(text).not.toMatch(/necesito saber quién eres/);
    expect(text).toMatch(/sigo con tu solicitud\.$/);
    expect(h.state()).toBe('linking.waiting');
  });

  it('announces the link once when a message carrying it comes before the linked event', async () => {
    const h = harness({ policy: 'report' });
    await h.say('mis OT');
    h.user.identity = TECHNICIAN;
    expect(await h.say('listo')).toMatch(/^Listo, Juan Pérez \(Técnico\): tu cuenta quedó vinculada\. Sigo con/);
    expect(h.started.map((run) => run.dagId)).toEqual(['listar_mis_ot']);
    expect(await h.send({ type: 'identity.linked', identity: TECHNICIAN, at: 1_700_000_100_000 })).toBe('');
    expect(h.state()).toBe('workflow.waiting');
    // A later link (another time) is announced again.
    const relinked = { ...TECHNICIAN, linkedAt: '2026-02-01T09:00:00.000Z' };
    expect(await h.send({ type: 'identity.linked', identity: relinked, at: 1_700_000_200_000 })).toMatch(/^Listo/);
  });
});
