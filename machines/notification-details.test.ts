/**
 * The notifications as a user meets them: the switch only as a whole message (free text mentioning
 * notices stays the answer), for this chat and only when linked, in a hand-off too; nobody named as
 * technician to themselves; the conversation's own changes kept back once and only when the
 * technician matches too; a form's question said again after a notice.
 */
import { describe, expect, it } from 'vitest';
import type { LinkedIdentity } from '../core/identity/types.ts';
import { type HarnessOptions, OPERATOR, SUPERVISOR, TECHNICIAN, workOrder } from '../test/support/machine-harness.ts';
import { afterStart, NOTICE_HINT, notifiedConversationByIds } from '../test/support/notification-harness.ts';
import { isClearCommand } from './commands.ts';

const OFF =
  'Listo, en este chat ya no te avisaré cuando cambien tus órdenes de trabajo. Si quieres volver a recibir los avisos, escribe "activar notificaciones".';
const ON =
  'Listo, te avisaré en este chat cuando cambie el estado o el técnico de tus órdenes de trabajo. Si no quieres recibir estos avisos, escribe "no quiero notificaciones".';
const NEEDS_LINK =
  'Los avisos de cambios en tus órdenes llegan cuando vinculas tu cuenta del CMMS: escribe "vincular cuenta".';
/** A requester who is also the technician of their order. */
const DIEGO: LinkedIdentity = { ...TECHNICIAN, cmmsUserId: 12, username: 'dfuentes', fullName: 'Diego Fuentes' };
const LUIS = { id: 11, username: 'tecnico11', fullName: 'Luis Soto', role: 'Técnico' };
const PEDRO = { id: 14, username: 'tecnico14', fullName: 'Pedro Díaz', role: 'Técnico' };

/** OT-CORR-1's change, Juan Pérez (user 7) on it before and after by id too. */
const conversation = notifiedConversationByIds;

describe('free text that mentions notices', () => {
  it('stays the failure description and the completion observations', async () => {
    for (const description of ['apagar avisos no funciona', 'quitar los avisos del panel']) {
      const h = conversation({ identity: OPERATOR });
      await h.say('reportar falla');
      await h.say('CAT-001');
      expect(await h.say(description)).toMatch(new RegExp(`\nFalla: ${description}\n¿Qué prioridad tiene\\?`));
      expect(h.actor.getSnapshot().context.draft.description).toBe(description);
      expect(h.notificationsOff()).toBeUndefined();
    }

    const t = conversation({ identity: TECHNICIAN, orders: { 'OT-CORR-1': workOrder({ numeroot: 'OT-CORR-1' }) } });
    await t.say('completar OT-CORR-1');
    expect(await t.say('silencia avisos de la alarma')).toMatch(/^¿Cuánto tiempo te tomó el trabajo/);
    expect(t.actor.getSnapshot().context.task).toMatchObject({ observaciones: 'silencia avisos de la alarma' });
    expect(t.notificationsOff()).toBeUndefined();
    expect(await t.notify({ number: 'OT-CORR-2' }, 'technician')).toMatch(/^La orden OT-CORR-2 .* pasó a En Progreso/);
  });

  it('is a command only as the whole message, and the form asks its question again after it', async () => {
    const h = conversation({ identity: OPERATOR });
    await h.say('reportar falla');
    await h.say('CAT-001');
    expect(await h.say('No quiero notificaciones, por favor')).toBe(
      `${OFF}\n(Sigo esperando tu respuesta: Describe la falla del equipo CAT-001.)`,
    );
    expect(h.state()).toBe('reporting.description');
    expect(h.notificationsOff()).toBe(true);
    await h.say('Pérdida de aceite hidráulico en el brazo');
    expect(await h.say('activar notificaciones')).toBe(
      `${ON}\n(Sigo esperando tu respuesta: ¿Qué prioridad tiene la falla?)`,
    );
    expect(h.replies.at(-1)?.buttons?.map((b) => b.id)).toEqual([
      'priority:baja',
      'priority:media',
      'priority:alta',
      'priority:critica',
    ]);
    expect(h.state()).toBe('reporting.priority');

    const match = { intent: 'notifications_off' } as const;
    expect(isClearCommand('desactivar notificaciones', match)).toBe(true);
    expect(isClearCommand('apagar avisos no funciona', match)).toBe(false);
    expect(isClearCommand('silencia avisos de la alarma', match)).toBe(false);
  });
});

describe('the switch, for this chat', () => {
  it('understands more phrasings, each whole', async () => {
    const off = [
      'no mas avisos',
      'no más notificaciones',
      'basta de avisos',
      'ya no me avisen',
      'no kiero notificaciones',
    ];
    for (const text of off) {
      const h = conversation({ identity: OPERATOR });
      expect(await h.say(text), text).toBe(OFF);
      expect(await h.notify()).toBe('');
      for (const on of ['prender notificaciones', 'volver a recibir notificaciones', 'activa avisos']) {
        await h.say(text);
        expect(await h.say(on), on).toBe(ON);
      }
    }
  });

  it('is for all the orders: one order named is not a status check', async () => {
    const h = conversation({ identity: OPERATOR });
    expect(await h.say('no quiero mas notificaciones de la OT-CORR-1')).toBe(
      `Por ahora los avisos se activan o desactivan para todas tus órdenes, no para una sola. ${OFF}`,
    );
    expect(h.started).toEqual([]);
    expect(h.state()).toBe('idle');
    expect(h.notificationsOff()).toBe(true);
  });

  it('"notificaciones" alone says how this chat is set and how to change it', async () => {
    const h = conversation({ identity: OPERATOR });
    expect(await h.say('notificaciones')).toBe(
      `En este chat te aviso cuando cambia el estado o el técnico de tus órdenes de trabajo. ${NOTICE_HINT}`,
    );
    await h.say('no quiero notificaciones');
    expect(await h.say('¿Avisos?')).toBe(
      'En este chat tienes los avisos desactivados: no te aviso cuando cambian tus órdenes de trabajo. Si quieres volver a recibir los avisos, escribe "activar notificaciones".',
    );
    expect(h.state()).toBe('idle');
  });

  it('tells an unlinked chat that the notices come once it links, and switches nothing', async () => {
    const h = conversation();
    expect(await h.say('activar notificaciones')).toBe(NEEDS_LINK);
    expect(await h.say('notificaciones')).toBe(NEEDS_LINK);
    expect(await h.say('no quiero notificaciones')).toBe(
      'En este chat no hay avisos que desactivar: solo llegan cuando vinculas tu cuenta del CMMS.',
    );
    expect(h.notificationsOff()).toBeUndefined();
    // An expired link is still a link: the chat is told of its orders until it is removed.
    const expired = conversation({ identity: { ...OPERATOR, expired: true } });
    expect(await expired.say('no quiero notificaciones')).toBe(OFF);
  });

  it('is switched in a hand-off, which goes on', async () => {
    const h = conversation({ identity: OPERATOR });
    await h.say('hablar con un supervisor');
    expect(await h.say('no quiero notificaciones')).toBe(OFF);
    expect(h.state()).toBe('handoff');
    expect(await h.notify()).toBe('');
    expect(await h.say('la excavadora sigue detenida')).toMatch(/quedó registrado para el supervisor/);
  });
});

describe('who is named', () => {
  const completed = {
    state: 'Completada',
    previousState: 'En Progreso',
    technicianId: 12,
    technicianName: 'Diego Fuentes',
  };

  it('does not name the recipient as the technician of their own order', async () => {
    const h = conversation({ identity: DIEGO });
    await h.say('hola');
    expect(await h.notify({ ...completed, requesterId: 12 })).toBe(
      `La orden OT-CORR-1 del equipo Excavadora CAT 320 pasó a Completada.\n${NOTICE_HINT}`,
    );
    // Known from the chat's link even when the change does not say who requested it; kept when stored.
    const restored = conversation({ identity: DIEGO, snapshot: h.persisted() });
    expect(await restored.notify({ ...completed, requesterId: undefined })).toBe(
      'La orden OT-CORR-1 del equipo Excavadora CAT 320 pasó a Completada.',
    );
    const linkedNow = conversation();
    await linkedNow.link(DIEGO);
    expect(await linkedNow.notify({ ...completed, requesterId: undefined })).not.toContain('Técnico');
    // Someone else's order still names its technician.
    expect(await conversation({ identity: OPERATOR }).notify(completed)).toContain('Técnico: Diego Fuentes.');
  });
});

describe('the conversation’s own changes', () => {
  async function assignedByTheBot() {
    const s = conversation({ identity: SUPERVISOR, technicians: [LUIS] });
    await s.say('asignar OT-CORR-1 a Luis');
    const order = workOrder({
      numeroot: 'OT-CORR-1',
      estado_nombre: 'Asignada',
      idtecnicoasignado: 11,
      tecnico_nombre: 'Luis Soto',
    });
    await s.finish({ result: { order, changed: true } });
    return s;
  }
  const toLuis = { state: 'Asignada', previousState: 'Abierta', technicianId: 11, technicianName: 'Luis Soto' };
  const toPedro = {
    ...toLuis,
    previousState: 'Asignada',
    technicianId: 14,
    technicianName: 'Pedro Díaz',
    previousTechnicianId: 11,
    previousTechnicianName: 'Luis Soto',
  };

  it('keeps back the assignment it made, not a later one to another technician in the same state', async () => {
    const s = await assignedByTheBot();
    expect(await s.notify(toLuis, 'requester', afterStart(3))).toBe('');
    expect(await s.notify({ ...toPedro, changeId: '12:4' }, 'requester', afterStart(4))).toMatch(
      /^La orden OT-CORR-1 .* quedó asignada a Pedro Díaz\./,
    );
    // The CMMS reassigned it before the detector saw the bot's own change: that is news too.
    const missed = await assignedByTheBot();
    const straightToPedro = {
      ...toPedro,
      previousState: 'Abierta',
      previousTechnicianId: undefined,
      previousTechnicianName: undefined,
    };
    expect(await missed.notify(straightToPedro, 'requester', afterStart(3))).toMatch(
      /pasó a Asignada\. Técnico: Pedro Díaz\./,
    );
  });

  it('keeps back one notification per own change: a state flipped back later is told', async () => {
    const h = conversation({ identity: TECHNICIAN });
    await h.say('iniciar OT-CORR-1');
    await h.finish({
      result: { order: workOrder({ numeroot: 'OT-CORR-1', estado_nombre: 'En Progreso' }), changed: true },
    });
    expect(await h.notify({}, 'technician', afterStart(3))).toBe('');
    const back = { changeId: '12:4', state: 'Asignada', previousState: 'En Progreso' };
    expect(await h.notify(back, 'technician', afterStart(4))).toMatch(/pasó a Asignada/);
    expect(await h.notify({ changeId: '12:5' }, 'technician', afterStart(5))).toMatch(/pasó a En Progreso/);
  });
});

describe('a notice during a form', () => {
  it('is followed by the question still open, with its buttons', async () => {
    const h = conversation({ identity: OPERATOR });
    await h.say('reportar falla');
    await h.say('CAT-001');
    await h.say('Pérdida de aceite hidráulico en el brazo');
    await h.say('Alta', 'priority:alta');
    expect(await h.notify()).toBe(
      'La orden OT-CORR-1 del equipo Excavadora CAT 320 pasó a En Progreso. Técnico: Juan Pérez.\n' +
        `${NOTICE_HINT}\n(Sigo esperando tu respuesta: ¿Confirmas el reporte de la falla?)`,
    );
    expect(h.replies.at(-1)).toMatchObject({
      kind: 'notification',
      template: { orderNumber: 'OT-CORR-1' },
      buttons: [{ id: 'confirm:yes' }, { id: 'confirm:no' }],
    });
    expect(h.state()).toBe('reporting.confirming');
    await h.say('sí');
    expect(h.started[0]?.dagId).toBe('reportar_falla');
  });

  it('asks each step’s own question; idle and a wait get the notice alone', async () => {
    const reminder = async (steps: string[], opts: HarnessOptions = { identity: OPERATOR }) => {
      const h = conversation(opts);
      for (const step of steps) await h.say(step);
      return (await h.notify({ number: 'OT-CORR-9' })).split('\n').at(-1);
    };
    const orders = { 'OT-CORR-1': workOrder({ numeroot: 'OT-CORR-1' }) };
    const technician = { identity: TECHNICIAN, orders };
    expect(await reminder(['reportar falla'])).toBe('(Sigo esperando tu respuesta: ¿En qué equipo es la falla?)');
    expect(await reminder(['estado'])).toBe(
      '(Sigo esperando tu respuesta: ¿Cuál es el número de la orden de trabajo?)',
    );
    expect(await reminder(['iniciar'], technician)).toBe('(Sigo esperando tu respuesta: ¿Qué orden quieres iniciar?)');
    expect(await reminder(['completar OT-CORR-1'], technician)).toBe(
      '(Sigo esperando tu respuesta: Escribe las observaciones finales de la orden OT-CORR-1.)',
    );
    expect(await reminder(['completar OT-CORR-1', 'Se cambió el sello del cilindro'], technician)).toBe(
      '(Sigo esperando tu respuesta: ¿Cuánto tiempo te tomó el trabajo, en minutos?)',
    );
    expect(await reminder(['completar OT-CORR-1', 'Se cambió el sello del cilindro', '45'], technician)).toBe(
      '(Sigo esperando tu respuesta: ¿Confirmas completar la orden OT-CORR-1?)',
    );
    expect(await reminder(['asignar OT-CORR-1'], { identity: SUPERVISOR, technicians: [LUIS, PEDRO] })).toBe(
      '(Sigo esperando tu respuesta: ¿A qué técnico asigno la orden OT-CORR-1?)',
    );
    expect(await reminder(['borrar mis datos'])).toBe(
      '(Sigo esperando tu respuesta: ¿Confirmas que borre tus datos de este chat?)',
    );
    expect(await reminder([])).toBe(NOTICE_HINT);
    expect(await reminder(['estado OT-CORR-5'])).toBe(NOTICE_HINT);
  });
});
