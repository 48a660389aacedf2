/**
 * When linking cannot help right away: a user-only run the runtime refuses to start without a live
 * link (a new link, then the same action), and a conversation whose sender may never link (an open
 * web REST sender: `link_not_allowed`), where a request that needed the link is dropped politely.
 */
import { describe, expect, it } from 'vitest';
import { harness, LINK_URL, OPERATOR, TECHNICIAN } from '../test/support/machine-harness.ts';

const REPORT = ['reportar falla', 'CAT-001', 'Pérdida de aceite hidráulico en el brazo', 'alta'];

describe('a user-only run the runtime refuses to start (the link went away since the message)', () => {
  it('asks for a new link, as a run that ended identity_expired, then starts the same action again', async () => {
    const h = harness({ identity: TECHNICIAN, refuseStarts: ['identity_expired'] });
    const text = await h.say('iniciar OT-CORR-1');
    expect(text).toMatch(/Tu sesión del CMMS ya no es válida/);
    expect(text).toContain(LINK_URL);
    expect(text).toMatch(/vuelvo a intentar tu solicitud\.$/);
    expect(text).not.toMatch(/sistema de procesos no está disponible/);
    expect(h.refused[0]).toMatchObject({ dagId: 'iniciar_ot', params: { numeroot: 'OT-CORR-1', idusuario: 7 } });
    expect(h.started).toHaveLength(0);
    expect(h.state()).toBe('linking.waiting');

    await h.link({ ...TECHNICIAN, cmmsUserId: 70 });
    expect(h.started[0]).toMatchObject({ dagId: 'iniciar_ot', params: { numeroot: 'OT-CORR-1', idusuario: 70 } });
    expect(h.started[0]!.runId).not.toBe(h.refused[0]!.runId);
    expect(h.state()).toBe('workflow.waiting');
  });

  it('any other refusal still says the process system is unavailable', async () => {
    const h = harness({ identity: TECHNICIAN, refuseStarts: ['workflow_unavailable'] });
    expect(await h.say('mis OT')).toMatch(/sistema de procesos no está disponible/);
    expect(h.calls.issueLink).toBe(0);
    expect(h.state()).toBe('idle');
  });
});

describe('a conversation that may not link (its sender is not authenticated)', () => {
  const CHANNELS = 'usa el chat web de la página del asistente, WhatsApp, Telegram o SMS.';

  it('answers "vincular cuenta" saying where linking works', async () => {
    const h = harness({ failLink: 'not_allowed' });
    expect(await h.say('vincular cuenta')).toBe(
      'Desde este acceso no puedo vincular cuentas del CMMS. Usa el chat web de la página del asistente, WhatsApp, Telegram o SMS.',
    );
    expect(h.state()).toBe('idle');
  });

  it('drops an action that needs the link, politely, and goes on with the next message', async () => {
    const h = harness({ failLink: 'not_allowed', policy: 'none' });
    const text = await h.say('mis OT');
    expect(text).toBe(
      `Para eso necesito tu cuenta del CMMS vinculada, pero desde este acceso no puedo vincular cuentas, así que dejé tu solicitud. Para vincular tu cuenta, ${CHANNELS}`,
    );
    expect(text).not.toContain(LINK_URL);
    expect(h.state()).toBe('idle');
    expect(await h.say('estado OT-CORR-1')).toMatch(/consultando el estado de la orden OT-CORR-1/);
    expect(h.started.map((run) => run.dagId)).toEqual(['consultar_estado_ot']);
  });

  it('under policy "report", drops the report (also at its confirmation) without starting it', async () => {
    const h = harness({ failLink: 'not_allowed', policy: 'report' });
    expect(await h.say('reportar falla')).toMatch(
      /^Para reportar una falla necesito tu cuenta del CMMS vinculada, pero desde este acceso no puedo vincular cuentas, así que no registré el reporte\./,
    );
    expect(h.state()).toBe('idle');

    const late = harness({ failLink: 'not_allowed', policy: 'report', identity: OPERATOR });
    for (const text of REPORT) await late.say(text);
    late.user.identity = null;
    expect(await late.say('sí')).toMatch(/así que no registré el reporte/);
    expect(late.started).toHaveLength(0);
    expect(late.state()).toBe('idle');
    expect(late.persisted().context).toMatchObject({ draft: {}, link: null });
  });

  it('a run that ended identity_expired is dropped when no new link can be made here', async () => {
    const h = harness({ failLink: 'not_allowed', identity: TECHNICIAN });
    await h.say('iniciar OT-CORR-1');
    expect(await h.finish({ error: { code: 'identity_expired', message: '401' } })).toBe(
      `Tu sesión del CMMS ya no es válida y desde este acceso no puedo vincular cuentas, así que dejé tu solicitud. Para vincular tu cuenta, ${CHANNELS}`,
    );
    expect(h.state()).toBe('idle');
  });
});
