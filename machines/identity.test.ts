import { describe, expect, it } from 'vitest';
import { harness, LINK_URL, OPERATOR, SUPERVISOR, TECHNICIAN, workOrder } from '../test/support/machine-harness.ts';
import snapshotV1Reporting from './fixtures/snapshot-v1-reporting.json' with { type: 'json' };

const CREATED_ORDER = {
  order: {
    numeroot: 'OT-CORR-CAT-001-20261125-9',
    equipo_nombre: 'Excavadora CAT 320',
    prioridad: 'Alta',
    estado_nombre: 'Abierta',
  },
};
const REPORT = ['reportar falla', 'CAT-001', 'Pérdida de aceite hidráulico en el brazo', 'alta'];

describe('linking an account', () => {
  it('answers "vincular cuenta" with a one-time link, never asking for the password in the chat', async () => {
    const h = harness();
    const text = await h.say('vincular cuenta');
    expect(text).toBe(
      `Para vincular tu cuenta del CMMS abre este enlace (válido 10 minutos, de un solo uso): ${LINK_URL}. Ahí ingresas tu usuario y contraseña; nunca me los escribas en el chat.`,
    );
    expect(h.calls.issueLink).toBe(1);
    expect(h.state()).toBe('idle');
  });

  it('tells a linked user who they are linked as, and offers a link again once the link expired', async () => {
    expect(await harness({ identity: TECHNICIAN }).say('iniciar sesión')).toMatch(
      /^Ya estás vinculado como Juan Pérez \(Técnico\)\./,
    );
    const expired = harness({ identity: { ...TECHNICIAN, expired: true } });
    expect(await expired.say('vincular')).toContain(LINK_URL);
  });

  it('says so politely when no link can be issued', async () => {
    const h = harness({ failLink: true });
    expect(await h.say('login')).toMatch(/No pude generar el enlace/);
    expect(h.state()).toBe('idle');
  });

  it('unlinks on "cerrar sesión", and says when there was no link', async () => {
    const h = harness({ identity: TECHNICIAN });
    expect(await h.say('cerrar sesión')).toMatch(/^Listo, desvinculé tu cuenta del CMMS/);
    expect(h.calls.unlinkIdentity).toBe(1);
    expect(await harness({ hadLink: false }).say('desvincular')).toMatch(/No tienes una cuenta del CMMS vinculada/);
  });

  it('confirms a link made on the page with what the role can do', async () => {
    const h = harness();
    const text = await h.link(TECHNICIAN);
    expect(text).toMatch(/^Listo, Juan Pérez \(Técnico\): tu cuenta quedó vinculada\./);
    expect(text).toContain('"completar OT-CORR-1"');
    expect(text).not.toContain('asignar OT');
    expect(await harness().link(SUPERVISOR)).toContain('"OT sin asignar"');
    expect(h.state()).toBe('idle');
  });

  it('keeps a question or a workflow wait as it was when the link arrives', async () => {
    const h = harness({ policy: 'none' });
    await h.say('estado OT-CORR-1');
    expect(await h.link(OPERATOR)).toMatch(/Listo, Pedro Soto \(Operador\)/);
    expect(h.state()).toBe('workflow.waiting');
    expect(await h.finish({ error: { code: 'cmms_unreachable', message: '' } })).toMatch(/No pude consultar/);

    await h.say('reportar falla');
    await h.link(OPERATOR);
    expect(h.state()).toBe('reporting.equipment');
  });

  it('tells the user when an admin removed their link', async () => {
    const h = harness({ identity: TECHNICIAN });
    expect(await h.send({ type: 'identity.unlinked', at: 1 })).toMatch(/Un administrador desvinculó tu cuenta/);
  });
});

describe('policy "report": a failure report needs a linked account', () => {
  it('asks an unlinked user to link first and then goes on with the report', async () => {
    const h = harness({ policy: 'report', channel: 'whatsapp' });
    const asked = await h.say('reportar falla');
    expect(asked).toMatch(/^Para reportar una falla necesito saber quién eres/);
    expect(asked).toContain(LINK_URL);
    expect(asked).toMatch(/Cuando termines, sigo con tu solicitud\.$/);
    expect(h.state()).toBe('linking.waiting');

    const linked = await h.link(OPERATOR);
    expect(linked).toMatch(/^Listo, Pedro Soto \(Operador\): tu cuenta quedó vinculada\. Sigo con tu solicitud\.\n/);
    expect(linked).toMatch(/¿En qué equipo\?/);
    for (const text of REPORT.slice(1)) await h.say(text);
    expect(await h.say('sí')).toMatch(/registrando la falla/);
    expect(h.started[0]).toMatchObject({
      dagId: 'reportar_falla',
      params: { idequipo: 1, prioridad: 'Alta', reportado_por: 'Reportado por Pedro Soto vía WhatsApp' },
    });
  });

  it('reminds, issues a fresh link, lets the user cancel or change topic while it waits', async () => {
    const h = harness({ policy: 'report' });
    await h.say('reportar falla');
    expect(await h.say('ok')).toMatch(/Sigo esperando que vincules tu cuenta/);
    expect(await h.say('vincular cuenta')).toContain(LINK_URL);
    expect(h.calls.issueLink).toBe(2);
    expect(h.state()).toBe('linking.waiting');
    expect(await h.say('cancelar')).toMatch(/dejé tu solicitud/);
    expect(h.state()).toBe('idle');

    await h.say('reportar falla');
    expect(await h.say('mis OT')).toMatch(/^Dejé sin hacer tu solicitud anterior/);
    // The report was dropped ("mis OT" now awaits the link): a list is answered meanwhile.
    await h.say('listar equipos');
    expect(h.started[0]?.dagId).toBe('listar_equipos');
    await h.finish({ result: { equipment: [] } });
    expect(h.state()).toBe('linking.waiting');
    expect(await h.link(OPERATOR)).toMatch(/Sigo con tu solicitud\.\n.*buscando tus órdenes/s);
    expect(h.started[1]).toMatchObject({ dagId: 'listar_mis_ot', params: { idusuario: 9 } });
  });

  it('goes on when the user writes after linking and the linked event was missed', async () => {
    const h = harness({ policy: 'report' });
    await h.say('reportar falla');
    h.user.identity = TECHNICIAN;
    expect(await h.say('listo')).toMatch(/Sigo con tu solicitud\.\n.*¿En qué equipo\?/s);
  });

  it('asks for a link at confirmation when the link expired during the report, then sends it', async () => {
    const h = harness({ policy: 'report', identity: TECHNICIAN, channel: 'telegram' });
    for (const text of REPORT) await h.say(text);
    h.user.identity = { ...TECHNICIAN, expired: true };
    expect(await h.say('sí')).toMatch(/^Para reportar una falla necesito saber quién eres/);
    expect(h.started).toHaveLength(0);
    expect(await h.link(TECHNICIAN)).toMatch(/Sigo con tu solicitud\.\n.*registrando la falla/s);
    expect(h.started[0]).toMatchObject({
      dagId: 'reportar_falla',
      params: {
        descripcion: 'Pérdida de aceite hidráulico en el brazo',
        reportado_por: 'Reportado por Juan Pérez vía Telegram',
      },
    });
  });

  it('continues a report stored by version 1 of the machine: link first, then the report', async () => {
    const h = harness({ policy: 'report', snapshot: snapshotV1Reporting, channel: 'web' });
    expect(h.state()).toBe('reporting.description');
    await h.say('Pérdida de aceite hidráulico en el brazo');
    await h.say('Alta', 'priority:alta');
    expect(await h.say('sí')).toContain(LINK_URL);
    await h.link(OPERATOR);
    expect(h.started[0]).toMatchObject({
      dagId: 'reportar_falla',
      params: { idequipo: 1, reportado_por: 'Reportado por Pedro Soto vía el chat web' },
    });
    expect(await h.finish({ result: CREATED_ORDER })).toMatch(/Se creó la orden de trabajo/);
  });

  it('survives a JSON round trip while waiting for the link', async () => {
    const first = harness({ policy: 'report' });
    await first.say('reportar falla');
    const restored = harness({ policy: 'report', snapshot: first.persisted() });
    expect(restored.state()).toBe('linking.waiting');
    expect(await restored.link(OPERATOR)).toMatch(/¿En qué equipo\?/);
  });

  it('lets status checks and lists through unlinked', async () => {
    const h = harness({ policy: 'report' });
    await h.say('estado OT-CORR-1');
    expect(h.started[0]).toMatchObject({ dagId: 'consultar_estado_ot' });
  });
});

describe('policy "none" and "all"', () => {
  it('"none": an unlinked report goes through, signed with the channel name', async () => {
    const h = harness({ policy: 'none', channel: 'telegram', userName: 'Carla' });
    for (const text of REPORT) await h.say(text);
    await h.say('sí');
    expect(h.started[0]?.params.reportado_por).toBe('Reportado por Carla vía Telegram');

    const anonymous = harness({ channel: 'sms' });
    for (const text of REPORT) await anonymous.say(text);
    await anonymous.say('sí');
    expect(anonymous.started[0]?.params.reportado_por).toBe('Reportado por un usuario vía SMS');
  });

  it('"all": every CMMS action asks for the link first, then runs', async () => {
    const h = harness({ policy: 'all' });
    expect(await h.say('listar equipos')).toMatch(/^Para eso necesito saber quién eres en el CMMS\./);
    expect(h.started).toHaveLength(0);
    expect(await h.link(OPERATOR)).toMatch(/consultando la lista de equipos/);
    expect(h.started[0]?.dagId).toBe('listar_equipos');

    const status = harness({ policy: 'all' });
    await status.say('¿cómo va la OT-CORR-1?');
    await status.link(OPERATOR);
    expect(status.started[0]).toMatchObject({ dagId: 'consultar_estado_ot', params: { numeroot: 'OT-CORR-1' } });
    // Greetings and help need nothing.
    expect(await harness({ policy: 'all' }).say('hola')).toMatch(/Hola/);
  });
});

describe('a session the CMMS no longer accepts', () => {
  it('asks for a new link and runs the same action again as a new run with the new identity', async () => {
    const h = harness({ identity: TECHNICIAN });
    await h.say('iniciar OT-CORR-1');
    const first = h.started[0]!;
    expect(first).toMatchObject({ dagId: 'iniciar_ot', params: { numeroot: 'OT-CORR-1', idusuario: 7 } });
    const text = await h.finish({ error: { code: 'identity_expired', message: '401' } });
    expect(text).toMatch(/^Tu sesión del CMMS ya no es válida/);
    expect(text).toContain(LINK_URL);
    expect(text).toMatch(/vuelvo a intentar tu solicitud\.$/);
    expect(h.state()).toBe('linking.waiting');

    await h.link({ ...TECHNICIAN, cmmsUserId: 70 });
    const second = h.started[1]!;
    expect(second).toMatchObject({ dagId: 'iniciar_ot', params: { numeroot: 'OT-CORR-1', idusuario: 70 } });
    expect(second.runId).not.toBe(first.runId);
    expect(h.state()).toBe('workflow.waiting');
  });

  it('sends a failure report again with the reporter recomputed', async () => {
    const h = harness({ identity: OPERATOR, policy: 'report', channel: 'whatsapp' });
    for (const text of REPORT) await h.say(text);
    await h.say('sí');
    await h.finish({ error: { code: 'identity_expired', message: '401' } });
    await h.link({ ...OPERATOR, fullName: 'Pedro Soto Ruiz' });
    expect(h.started[1]?.params).toMatchObject({
      idequipo: 1,
      reportado_por: 'Reportado por Pedro Soto Ruiz vía WhatsApp',
    });
  });
});

describe('"borrar mis datos"', () => {
  it('asks first, erases on yes (the forget tag) and keeps everything on no', async () => {
    const h = harness({ identity: TECHNICIAN });
    expect(await h.say('borrar mis datos')).toMatch(
      /el vínculo con tu cuenta del CMMS.*la transcripción y el historial.*¿Confirmas\?/s,
    );
    expect(h.buttons[0]?.map((b) => b.id)).toEqual(['confirm:yes', 'confirm:no']);
    expect(await h.say('no')).toMatch(/^No borré nada/);
    expect(h.actor.getSnapshot().hasTag('forget')).toBe(false);

    await h.say('eliminar mis datos');
    expect(await h.say('quizás')).toMatch(/Responde "sí" para borrar tus datos/);
    expect(await h.say('Sí, borrar', 'confirm:yes')).toMatch(/^Listo, borré tus datos/);
    expect(h.actor.getSnapshot().hasTag('forget')).toBe(true);
    // Had the runtime not erased it, the next message starts afresh.
    expect(await h.say('hola')).toMatch(/Hola/);
    expect(h.actor.getSnapshot().hasTag('forget')).toBe(false);
  });

  it('is available to unlinked users too, and "cancelar" keeps the data', async () => {
    const h = harness({ policy: 'all' });
    await h.say('borrar mis datos');
    expect(await h.say('cancelar')).toMatch(/^No borré nada/);
    expect(h.state()).toBe('idle');
  });
});

describe('orders need a person', () => {
  it('"mis OT" asks an unlinked user to link whatever the policy, then lists their orders', async () => {
    const h = harness({ policy: 'none' });
    expect(await h.say('mis OT')).toMatch(/^Para eso necesito saber quién eres en el CMMS\./);
    await h.link(OPERATOR);
    expect(h.started[0]).toMatchObject({ dagId: 'listar_mis_ot', params: { idusuario: 9, filtro: 'mias' } });
  });

  it('after linking, a role that may not do the kept request is refused politely', async () => {
    const h = harness();
    await h.say('completar OT-CORR-1');
    expect(await h.link(OPERATOR)).toMatch(/Iniciar y completar órdenes es para técnicos/);
    expect(h.calls.findWorkOrder).toHaveLength(0);
    expect(workOrder({ numeroot: 'OT-1' }).idtecnicoasignado).toBe(7);
  });
});
