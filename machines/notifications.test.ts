import { describe, expect, it } from 'vitest';
import {
  EXCAVATOR,
  HARNESS_START,
  type HarnessOptions,
  MINUTE,
  notifiedConversation,
  OPERATOR,
  SUPERVISOR,
  TECHNICIAN,
  workOrder,
} from '../test/support/machine-harness.ts';
import { NOTICE_HINT } from '../test/support/notification-harness.ts';
import { statusOf } from './conversation.ts';
import snapshotV1Reporting from './fixtures/snapshot-v1-reporting.json' with { type: 'json' };
import { conversationModel } from './model.ts';

/** The harness's clock starts at HARNESS_START and moves a second per user message. */
const conversation = (opts: HarnessOptions = {}) => notifiedConversation(opts);

describe('order-change notifications', () => {
  it('tells the requester in idle; the first one says how to stop them, the next ones do not', async () => {
    const h = conversation({ identity: OPERATOR });
    const first = await h.notify();
    expect(first).toBe(
      `La orden OT-CORR-1 del equipo Excavadora CAT 320 pasó a En Progreso. Técnico: Juan Pérez.\n${NOTICE_HINT}`,
    );
    expect(h.replies.at(-1)).toMatchObject({
      kind: 'notification',
      template: { orderNumber: 'OT-CORR-1', equipment: 'Excavadora CAT 320', state: 'En Progreso' },
    });
    expect(h.state()).toBe('idle');
    const second = await h.notify({ changeId: '12:4', state: 'Completada', previousState: 'En Progreso' });
    expect(second).toBe('La orden OT-CORR-1 del equipo Excavadora CAT 320 pasó a Completada. Técnico: Juan Pérez.');
  });

  it('words each kind of change for the requester and for the technician', async () => {
    const h = conversation({ identity: OPERATOR });
    await h.notify(); // the first one, with the hint
    expect(
      await h.notify({
        state: 'Completada',
        previousState: 'En Progreso',
        observations: 'Se cambió el sello del cilindro',
      }),
    ).toBe(
      'La orden OT-CORR-1 del equipo Excavadora CAT 320 pasó a Completada. Observaciones: Se cambió el sello del cilindro. Técnico: Juan Pérez.',
    );
    // Another technician, same state: the requester is told who has it now.
    expect(await h.notify({ state: 'Asignada', previousState: 'Asignada', technicianName: 'Luis Soto' })).toBe(
      'La orden OT-CORR-1 del equipo Excavadora CAT 320 quedó asignada a Luis Soto.',
    );
    // Assigned for the first time: the new state and who has it.
    expect(await h.notify({ state: 'Asignada', previousState: 'Abierta', previousTechnicianName: undefined })).toBe(
      'La orden OT-CORR-1 del equipo Excavadora CAT 320 pasó a Asignada. Técnico: Juan Pérez.',
    );

    const t = conversation({ identity: TECHNICIAN });
    expect(
      await t.notify({ state: 'Asignada', previousState: 'Abierta', previousTechnicianName: undefined }, 'technician'),
    ).toBe(`Se te asignó la orden OT-CORR-1 del equipo Excavadora CAT 320 (estado Asignada).\n${NOTICE_HINT}`);
    // Reassigned from someone else, the state kept (En Progreso).
    expect(
      await t.notify(
        { state: 'En Progreso', previousState: 'En Progreso', previousTechnicianName: 'Luis Soto' },
        'technician',
      ),
    ).toBe('Se te asignó la orden OT-CORR-1 del equipo Excavadora CAT 320 (estado En Progreso).');
    // Given a technician at once, in another state than Asignada; told apart by id when the ids are given.
    expect(
      await t.notify(
        { state: 'En Progreso', previousState: 'Abierta', previousTechnicianName: undefined },
        'technician',
      ),
    ).toMatch(/^Se te asignó la orden OT-CORR-1 .*\(estado En Progreso\)\.$/);
    expect(await t.notify({ previousTechnicianId: 11, previousTechnicianName: 'Juan Pérez' }, 'technician')).toMatch(
      /^Se te asignó/,
    );
    expect(await t.notify({ previousTechnicianId: 7 }, 'technician')).toMatch(/pasó a En Progreso\.$/);
    // Their order changed state (a supervisor completed it): no need to name them to themselves.
    expect(await t.notify({ state: 'Completada', previousState: 'En Progreso' }, 'technician')).toBe(
      'La orden OT-CORR-1 del equipo Excavadora CAT 320 pasó a Completada.',
    );
  });

  it('keeps a form in progress: the report goes on where it was', async () => {
    const h = conversation({ identity: OPERATOR });
    await h.say('reportar falla');
    await h.say('CAT-001');
    expect(h.state()).toBe('reporting.description');
    expect(await h.notify()).toMatch(/^La orden OT-CORR-1 .* pasó a En Progreso\./);
    expect(h.state()).toBe('reporting.description');
    expect(await h.say('Pérdida de aceite hidráulico en el brazo')).toMatch(/prioridad/);
    expect(h.state()).toBe('reporting.priority');
  });

  it('keeps a completion in progress, a wait for a workflow and a hand-off', async () => {
    const t = conversation({ identity: TECHNICIAN, orders: { 'OT-CORR-1': workOrder({ numeroot: 'OT-CORR-1' }) } });
    await t.say('completar OT-CORR-1');
    expect(t.state()).toBe('completing.observations');
    expect(await t.notify({ number: 'OT-CORR-2' }, 'technician')).toMatch(/OT-CORR-2/);
    expect(t.state()).toBe('completing.observations');
    expect(t.actor.getSnapshot().context.task).toMatchObject({ numeroot: 'OT-CORR-1' });

    const w = conversation({ identity: OPERATOR });
    await w.say('estado OT-CORR-9');
    expect(w.state()).toBe('workflow.waiting');
    expect(await w.notify()).toMatch(/pasó a En Progreso/);
    expect(w.state()).toBe('workflow.waiting');
    expect(await w.finish({ error: { code: 'order_not_found', message: 'no' } })).toMatch(/^No pude/);
    expect(w.state()).toBe('idle');

    const a = conversation({ identity: OPERATOR });
    await a.say('hablar con un supervisor');
    expect(await a.notify()).toMatch(/pasó a En Progreso/);
    expect(a.state()).toBe('handoff');
    expect(statusOf(a.actor.getSnapshot())).toBe('handoff');
    // The person is still the one who answers.
    expect(await a.say('la excavadora sigue detenida')).toMatch(/quedó registrado para el supervisor/);
  });

  it('is switched off and on with a confirmation, in every phrasing', async () => {
    for (const off of [
      'no quiero notificaciones',
      'Desactivar notificaciones',
      'sin notificaciones',
      'silenciar avisos',
    ]) {
      const h = conversation({ identity: OPERATOR });
      expect(await h.say(off)).toMatch(/^Listo, en este chat ya no te avisaré cuando cambien tus órdenes de trabajo\./);
      expect(await h.notify()).toBe('');
      for (const on of ['activar notificaciones', 'quiero notificaciones']) {
        await h.say(off);
        expect(await h.say(on)).toMatch(/^Listo, te avisaré en este chat cuando cambie el estado o el técnico/);
      }
      expect(await h.notify()).toMatch(/pasó a En Progreso/);
    }
  });

  it('is switched during a form, a question, a wait and a link wait, which all stay', async () => {
    const h = conversation({ identity: OPERATOR });
    await h.say('reportar falla');
    await h.say('CAT-001');
    await h.say('Pérdida de aceite hidráulico en el brazo');
    expect(h.state()).toBe('reporting.priority');
    expect(await h.say('no quiero notificaciones')).toMatch(/ya no te avisaré/);
    expect(h.state()).toBe('reporting.priority');
    expect(await h.say('Alta', 'priority:alta')).toMatch(/¿Confirmas\?/);
    expect(await h.notify()).toBe('');

    const q = conversation({ identity: OPERATOR });
    await q.say('estado');
    expect(await q.say('desactivar notificaciones')).toMatch(/ya no te avisaré/);
    expect(q.state()).toBe('askingWorkOrder');

    const w = conversation({ identity: OPERATOR });
    await w.say('estado OT-CORR-9');
    expect(await w.say('silenciar avisos')).toMatch(/ya no te avisaré/);
    expect(w.state()).toBe('workflow.waiting');
    expect(await w.say('activar notificaciones')).toMatch(/te avisaré en este chat/);

    const l = conversation({ policy: 'all' });
    await l.say('mis OT');
    expect(l.state()).toBe('linking.waiting');
    // Not linked yet: nothing to switch off (the notices come once the chat is linked).
    expect(await l.say('sin notificaciones')).toMatch(/^En este chat no hay avisos que desactivar/);
    expect(l.state()).toBe('linking.waiting');
  });

  it('leaves free text that mentions notices as the answer', async () => {
    const h = conversation({ identity: OPERATOR });
    await h.say('reportar falla');
    await h.say('CAT-001');
    expect(await h.say('El panel no muestra avisos de temperatura y se apaga solo')).toMatch(/prioridad/);
    expect(h.actor.getSnapshot().context.notificationsOff).toBeUndefined();
  });

  it('does not tell back, for 15 minutes, a change this conversation made itself', async () => {
    const h = conversation({ identity: TECHNICIAN });
    expect(await h.say('iniciar OT-CORR-1')).toMatch(/iniciando la orden OT-CORR-1/);
    const started = workOrder({ numeroot: 'OT-CORR-1', estado_nombre: 'En Progreso' });
    expect(await h.finish({ result: { order: started, changed: true } })).toBe(
      'Listo, la orden OT-CORR-1 quedó En Progreso.',
    );
    const resultAt = HARNESS_START + 2_000; // the harness's clock: a message, then the result
    expect(await h.notify({}, 'technician', resultAt + 5 * MINUTE)).toBe('');
    // Someone else completed it meanwhile: that is news.
    expect(
      await h.notify({ state: 'Completada', previousState: 'En Progreso' }, 'technician', resultAt + 6 * MINUTE),
    ).toMatch(/pasó a Completada/);
    // The same change seen again after the window (e.g. reverted and redone elsewhere) is told.
    expect(await h.notify({ changeId: '12:9' }, 'technician', resultAt + 16 * MINUTE)).toMatch(/pasó a En Progreso/);
  });

  it('does not tell back an order its own report created, nor a supervisor’s own assignment', async () => {
    const h = conversation({ identity: OPERATOR });
    await h.say('reportar falla');
    await h.say('CAT-001');
    await h.say('Pérdida de aceite hidráulico en el brazo');
    await h.say('Alta', 'priority:alta');
    await h.say('sí');
    const created = workOrder({ numeroot: 'OT-CORR-CAT-001-9', estado_nombre: 'Abierta', tecnico_nombre: null });
    expect(await h.finish({ result: { order: created } })).toMatch(/^Falla reportada/);
    const own = { number: 'OT-CORR-CAT-001-9', state: 'Abierta', previousState: undefined, technicianName: undefined };
    expect(await h.notify(own, 'requester', HARNESS_START + 6_000 + MINUTE)).toBe('');

    const s = conversation({
      identity: SUPERVISOR,
      technicians: [{ id: 11, username: 'tecnico11', fullName: 'Luis Soto', role: 'Técnico' }],
    });
    await s.say('asignar OT-CORR-1 a Luis');
    expect(s.started[0]).toMatchObject({ dagId: 'asignar_ot', params: { numeroot: 'OT-CORR-1', idtecnico: 11 } });
    const assigned = workOrder({ numeroot: 'OT-CORR-1', estado_nombre: 'Asignada', tecnico_nombre: 'Luis Soto' });
    await s.finish({ result: { order: assigned, changed: true } });
    expect(
      await s.notify({ state: 'Asignada', technicianName: 'Luis Soto' }, 'requester', HARNESS_START + 2_000 + MINUTE),
    ).toBe('');
  });

  it('keeps the switch, the hint and the own changes across a JSON round trip', async () => {
    const h = conversation({ identity: OPERATOR });
    await h.notify();
    const told = conversation({ identity: OPERATOR, snapshot: h.persisted() });
    expect(await told.notify()).not.toContain(NOTICE_HINT);
    await told.say('no quiero notificaciones');
    const off = conversation({ identity: OPERATOR, snapshot: told.persisted() });
    expect(await off.notify()).toBe('');
  });

  it('tells a conversation stored by an earlier build (no notification fields), with the hint, mid-report', async () => {
    const restored = conversation({ snapshot: snapshotV1Reporting });
    expect(restored.state()).toBe('reporting.description');
    expect(await restored.notify()).toMatch(
      new RegExp(`pasó a En Progreso\\. Técnico: Juan Pérez\\.\\n${NOTICE_HINT}`),
    );
    expect(restored.state()).toBe('reporting.description');
    expect(restored.actor.getSnapshot().context.draft.equipment).toEqual(EXCAVATOR);
    expect(await restored.say('Pérdida de aceite hidráulico en el brazo')).toMatch(/prioridad/);
  });

  it('the switch has its own metrics labels, and linked users find it in the help', async () => {
    const event = (text: string) => ({ type: 'user.message' as const, text, at: HARNESS_START });
    expect(conversationModel.intentLabel(event('no quiero notificaciones'))).toBe('notifications_off');
    expect(conversationModel.intentLabel(event('activar notificaciones'))).toBe('notifications_on');
    expect(await conversation({ identity: OPERATOR }).say('ayuda')).toContain(
      '• Avisos de cambios en tus OT: "no quiero notificaciones" o "activar notificaciones"',
    );
    expect(await conversation({}).say('ayuda')).not.toContain('notificaciones');
  });
});
