/**
 * The technician's and the supervisor's actions as people write them: an action without its order
 * asks for the number, replies name the order found, technicians are offered as a numbered list,
 * "mis pendientes" depends on the role, and a long time is asked again.
 */
import { describe, expect, it } from 'vitest';
import { harness, OPERATOR, SUPERVISOR, TECHNICIAN, workOrder } from '../test/support/machine-harness.ts';
import type { CmmsUserSummary } from '../workflows/cmms.ts';

const tech = (id: number, fullName: string): CmmsUserSummary => ({
  id,
  username: `tec${id}`,
  fullName,
  role: 'Técnico',
});
const TECHNICIANS = [tech(7, 'Juan Pérez'), tech(11, 'Luis Soto'), tech(12, 'María González')];
const PREV_5 = workOrder({ numeroot: 'OT-PREV-JD-20261124-5', idordentrabajo: 5 });

describe('an action without its order asks for the number and waits for it', () => {
  it('"iniciar" then "OT-PREV-5" starts that order', async () => {
    const h = harness({ identity: TECHNICIAN });
    expect(await h.say('iniciar OT')).toMatch(/^¿Qué orden quieres iniciar\?/);
    expect(h.state()).toBe('askingWorkOrder');
    await h.say('OT-PREV-5');
    expect(h.started[0]).toMatchObject({ dagId: 'iniciar_ot', params: { numeroot: 'OT-PREV-5', idusuario: 7 } });
  });

  it('"completar" then digits alone completes the order the CMMS finds', async () => {
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-5': PREV_5 } });
    expect(await h.say('completar')).toMatch(/^¿Qué orden quieres completar\?/);
    expect(await h.say('5')).toMatch(/^Vas a completar la orden OT-PREV-JD-20261124-5/);
    expect(h.state()).toBe('completing.observations');
  });

  it('"asignar" then "OT-PREV-4 a Luis" assigns it; "cancelar" leaves the question', async () => {
    const h = harness({ identity: SUPERVISOR, technicians: TECHNICIANS });
    expect(await h.say('asignar')).toMatch(/^¿Qué orden quieres asignar\?/);
    await h.say('OT-PREV-4 a Luis');
    expect(h.started[0]).toMatchObject({ dagId: 'asignar_ot', params: { numeroot: 'OT-PREV-4', idtecnico: 11 } });

    const cancelled = harness({ identity: TECHNICIAN });
    await cancelled.say('iniciar');
    expect(await cancelled.say('cancelar')).toMatch(/cancelé/);
    expect(cancelled.state()).toBe('idle');
    expect(await cancelled.say('5')).toMatch(/No entendí/);
  });

  it('a status question or another topic while waiting is handled as such', async () => {
    const h = harness({ identity: TECHNICIAN });
    await h.say('iniciar');
    await h.say('estado de OT-CORR-1');
    expect(h.started[0]).toMatchObject({ dagId: 'consultar_estado_ot', params: { numeroot: 'OT-CORR-1' } });
    const other = harness({ identity: TECHNICIAN });
    await other.say('completar');
    expect(await other.say('no sé')).toMatch(/No reconocí un número de orden/);
    await other.say('mis OT');
    expect(other.started[0]?.dagId).toBe('listar_mis_ot');
  });

  it('the status question takes digits alone too', async () => {
    const h = harness();
    await h.say('estado');
    await h.say('15');
    expect(h.started[0]).toMatchObject({ dagId: 'consultar_estado_ot', params: { numeroot: 'OT-15' } });
  });
});

describe('replies name the order the lookup found', () => {
  it('"completar la ot 5" names OT-PREV-JD-20261124-5, never "OT-5"', async () => {
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-5': { ...PREV_5, idtecnicoasignado: 11 } } });
    const text = await h.say('completar la ot 5');
    expect(text).toMatch(/^La orden OT-PREV-JD-20261124-5 no está asignada a ti/);
    expect(text).not.toContain('OT-5 ');
  });
});

describe('completing an order whose technician the CMMS gives as digits', () => {
  it('takes "7" as the technician 7, as the workflow does', async () => {
    const digits = { ...PREV_5, idtecnicoasignado: '7' as unknown as number };
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-5': digits } });
    expect(await h.say('completar OT-5')).toMatch(/^Vas a completar la orden OT-PREV-JD-20261124-5/);
    expect(h.state()).toBe('completing.observations');
  });
});

describe('"mis pendientes" and the like', () => {
  it('are the assigned orders of a technician and the own orders of anyone else', async () => {
    for (const text of ['mis pendientes', '¿qué tengo asignado?', 'mis asignadas']) {
      const technician = harness({ identity: TECHNICIAN });
      await technician.say(text);
      expect(technician.started[0]).toMatchObject({ dagId: 'listar_mis_ot', params: { filtro: 'asignadas' } });
      for (const identity of [SUPERVISOR, OPERATOR]) {
        const other = harness({ identity });
        await other.say(text);
        expect(other.started[0]).toMatchObject({ dagId: 'listar_mis_ot', params: { filtro: 'mias' } });
      }
    }
    expect(await harness().say('mis pendientes')).toMatch(/^Para eso necesito saber quién eres/);
  });
});

describe('assigning: phrasings and the list of technicians', () => {
  it('"reasignar" and "pásale" assign; courtesy words are no part of the name', async () => {
    const h = harness({ identity: SUPERVISOR, technicians: TECHNICIANS });
    await h.say('reasignar OT-PREV-4 a luis');
    await h.finish({ error: { code: 'order_closed', message: '' } });
    await h.say('pásale la OT-PREV-4 a María por favor');
    expect(h.calls.findTechnicians).toEqual(['luis', 'María']);
    expect(h.started.map((run) => run.params.idtecnico)).toEqual([11, 12]);
  });

  it('no name offers every technician, numbered, as buttons; a typed number picks one', async () => {
    const h = harness({ identity: SUPERVISOR, technicians: TECHNICIANS });
    const text = await h.say('asignar OT-PREV-4');
    expect(text).toBe(
      '¿A qué técnico asigno la orden OT-PREV-4?\n1. Juan Pérez\n2. Luis Soto\n3. María González\nElige uno o escribe su número o su nombre.',
    );
    expect(h.calls.findTechnicians).toEqual(['']);
    expect(h.buttons[0]?.map((b) => b.id)).toEqual(['technician:7', 'technician:11', 'technician:12']);
    expect(await h.say('4')).toMatch(/^Elige un número del 1 al 3/);
    await h.say('3');
    expect(h.started[0]).toMatchObject({ dagId: 'asignar_ot', params: { numeroot: 'OT-PREV-4', idtecnico: 12 } });
  });

  it('a name that matches nobody offers the list; "asignar a luis" as the answer is Luis', async () => {
    const h = harness({ identity: SUPERVISOR, technicians: TECHNICIANS });
    const text = await h.say('asignar OT-PREV-4 a Ramírez');
    expect(text).toMatch(/^No encontré ningún técnico que coincida con "Ramírez"\. ¿A qué técnico asigno/);
    expect(text).toContain('2. Luis Soto');
    expect(h.calls.findTechnicians).toEqual(['Ramírez', '']);
    await h.say('asignar a luis');
    expect(h.calls.findTechnicians.at(-1)).toBe('luis');
    expect(h.started[0]).toMatchObject({ params: { idtecnico: 11 } });
  });

  it('several matches are numbered too; no technicians at all is said plainly', async () => {
    const h = harness({ identity: SUPERVISOR, technicians: [...TECHNICIANS, tech(13, 'Ana Soto')] });
    expect(await h.say('asignar OT-PREV-4 a Soto')).toMatch(
      /^Encontré varios técnicos\.[^\n]*\n1\. Luis Soto\n2\. Ana Soto/,
    );
    await h.say('2');
    expect(h.started[0]).toMatchObject({ params: { idtecnico: 13 } });

    const none = harness({ identity: SUPERVISOR });
    expect(await none.say('asignar OT-PREV-4')).toMatch(/^No hay técnicos en el CMMS/);
    expect(none.state()).toBe('idle');
  });
});

describe('a long time spent is asked again', () => {
  it('above 16 hours: "¿Seguro que fueron …?", then a corrected time or "sí"', async () => {
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-CORR-1': workOrder({ numeroot: 'OT-CORR-1' }) } });
    await h.say('completar OT-CORR-1');
    await h.say('Cambio de sello');
    const text = await h.say('2000');
    expect(text).toMatch(/• Tiempo: 2000 min\n¿Seguro que fueron 33 horas y 20 minutos\?/);
    expect(await h.say('200')).toMatch(/• Tiempo: 200 min\n¿Confirmas\?$/);
    await h.say('sí');
    expect(h.started[0]?.params).toMatchObject({ minutos: 200 });

    const sure = harness({ identity: TECHNICIAN, orders: { 'OT-CORR-1': workOrder({ numeroot: 'OT-CORR-1' }) } });
    for (const step of ['completar OT-CORR-1', 'Turno doble', 'diecisiete horas']) await sure.say(step);
    await sure.say('sí');
    expect(sure.started[0]?.params).toMatchObject({ minutos: 1020 });
  });

  it('"1:30" and "una hora y media aprox" are times', async () => {
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-CORR-1': workOrder({ numeroot: 'OT-CORR-1' }) } });
    await h.say('completar OT-CORR-1');
    await h.say('Cambio de sello');
    expect(await h.say('1:30')).toMatch(/Tiempo: 90 min/);
    expect(await h.say('una hora y media aprox')).toMatch(/Tiempo: 90 min/);
  });
});
