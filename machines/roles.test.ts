import { describe, expect, it } from 'vitest';
import { ADMIN, harness, OPERATOR, SUPERVISOR, TECHNICIAN, workOrder } from '../test/support/machine-harness.ts';
import type { CmmsUserSummary } from '../workflows/cmms.ts';

const tech = (id: number, fullName: string): CmmsUserSummary => ({
  id,
  username: `tecnico${id}`,
  fullName,
  role: 'Técnico',
});
const TECHNICIANS = [tech(7, 'Juan Pérez'), tech(11, 'Luis Soto'), tech(12, 'María Fernanda Soto Valenzuela')];
const ORDER = workOrder({ numeroot: 'OT-CORR-1' });

describe('every linked user', () => {
  it('"mis OT" lists their own orders; "mis OT pendientes" too', async () => {
    for (const identity of [TECHNICIAN, SUPERVISOR, OPERATOR]) {
      const h = harness({ identity });
      expect(await h.say('mis OT')).toMatch(/buscando tus órdenes/);
      expect(h.started[0]).toMatchObject({
        dagId: 'listar_mis_ot',
        params: { idusuario: identity.cmmsUserId, filtro: 'mias' },
      });
    }
    const h = harness({ identity: OPERATOR });
    await h.say('Mis OT', 'intent:my_orders');
    expect(h.started[0]?.dagId).toBe('listar_mis_ot');
  });

  it('checks the status of any order as before', async () => {
    const h = harness({ identity: OPERATOR, policy: 'all' });
    await h.say('estado OT-CORR-9');
    expect(h.started[0]).toMatchObject({ dagId: 'consultar_estado_ot', params: { numeroot: 'OT-CORR-9' } });
  });
});

describe('Técnico', () => {
  it('lists the open orders assigned to them and starts one', async () => {
    const h = harness({ identity: TECHNICIAN });
    await h.say('mis OT asignadas');
    expect(h.started[0]).toMatchObject({ dagId: 'listar_mis_ot', params: { idusuario: 7, filtro: 'asignadas' } });
    await h.finish({ result: { orders: [], total: 0, filtro: 'asignadas' } });
    expect(await h.say('iniciar OT-CORR-1')).toMatch(/iniciando la orden OT-CORR-1/);
    expect(h.started[1]).toMatchObject({ dagId: 'iniciar_ot', params: { numeroot: 'OT-CORR-1', idusuario: 7 } });
  });

  it('starts an order named while the status question waits for a number', async () => {
    const h = harness({ identity: TECHNICIAN });
    await h.say('estado');
    await h.say('iniciar OT-CORR-1');
    expect(h.started[0]).toMatchObject({ dagId: 'iniciar_ot', params: { numeroot: 'OT-CORR-1' } });
  });

  it('asks which order when none is named', async () => {
    const h = harness({ identity: TECHNICIAN });
    expect(await h.say('iniciar una OT')).toMatch(/¿Qué orden quieres iniciar\?/);
    expect(await h.say('completar la orden')).toMatch(/¿Qué orden quieres completar\?/);
    expect(h.started).toHaveLength(0);
  });

  it('completes an order: observations → minutes → confirmation → completar_ot', async () => {
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-CORR-1': ORDER } });
    expect(await h.say('completar OT-CORR-1')).toMatch(
      /^Vas a completar la orden OT-CORR-1 \(Excavadora CAT 320\)\. Escribe las observaciones finales/,
    );
    expect(h.state()).toBe('completing.observations');
    expect(await h.say('ok')).toMatch(/al menos 3 caracteres/);
    expect(await h.say('Cambio de sello del cilindro del brazo')).toMatch(/en minutos/);
    expect(await h.say('bastante')).toMatch(/No entendí el tiempo/);
    expect(await h.say('0')).toMatch(/No entendí el tiempo/);
    const confirm = await h.say('1 hora y 30 min');
    expect(confirm).toBe(
      'Voy a completar esta orden:\n• Orden: OT-CORR-1\n• Observaciones: Cambio de sello del cilindro del brazo\n• Tiempo: 90 min\n¿Confirmas?',
    );
    expect(h.buttons[0]?.map((b) => b.id)).toEqual(['confirm:yes', 'confirm:no']);
    expect(await h.say('tal vez')).toMatch(/Responde "sí" para completar la orden/);
    expect(await h.say('Confirmar', 'confirm:yes')).toMatch(/completando la orden OT-CORR-1/);
    expect(h.started[0]).toMatchObject({
      dagId: 'completar_ot',
      params: {
        numeroot: 'OT-CORR-1',
        idusuario: 7,
        observaciones: 'Cambio de sello del cilindro del brazo',
        minutos: 90,
      },
    });
    expect(h.state()).toBe('workflow.waiting');
  });

  it("tells the outcome of the run: the completed order, or the catalog's error", async () => {
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-CORR-1': ORDER } });
    for (const text of ['completar OT-CORR-1', 'Cambio de sello', '45', 'sí']) await h.say(text);
    const done = await h.finish({
      result: { order: { ...ORDER, estado_nombre: 'Completada' }, changed: true, minutos: 45 },
    });
    expect(done).toContain('OT-CORR-1');
    expect(done).not.toMatch(/^No pude/);
    expect(h.state()).toBe('idle');

    await h.say('iniciar OT-CORR-2');
    expect(await h.finish({ error: { code: 'not_assigned', message: '' } })).toMatch(
      /^No pude iniciar la orden( de trabajo)?: esa orden no está asignada a ti\./,
    );
  });

  it('takes plain minutes and "N min"; declining or cancelling completes nothing', async () => {
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-CORR-1': ORDER } });
    await h.say('terminar la OT-CORR-1');
    await h.say('Se cambió el filtro');
    expect(await h.say('45')).toMatch(/Tiempo: 45 min/);
    expect(await h.say('no')).toMatch(/no completé la orden/);
    await h.say('cerrar OT-CORR-1');
    await h.say('Se cambió el filtro');
    expect(await h.say('45 min')).toMatch(/Tiempo: 45 min/);
    expect(await h.say('cancelar')).toMatch(/no completé la orden/);
    expect(h.started).toHaveLength(0);
    expect(h.state()).toBe('idle');
  });

  it('uses the CMMS number of the order it found ("OT 18" may be the order whose id is 18)', async () => {
    const found = workOrder({ numeroot: 'OT-CORR-CAT-001-18', idordentrabajo: 18 });
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-18': found } });
    expect(await h.say('completar OT 18')).toMatch(/la orden OT-CORR-CAT-001-18/);
    await h.say('Ajuste de frenos');
    await h.say('30');
    await h.say('sí');
    expect(h.started[0]?.params).toMatchObject({ numeroot: 'OT-CORR-CAT-001-18' });
  });

  it('refuses an order that is missing, not theirs or closed, and says when the lookup fails', async () => {
    const orders = {
      'OT-CORR-2': workOrder({ numeroot: 'OT-CORR-2', idtecnicoasignado: 11 }),
      'OT-CORR-3': workOrder({ numeroot: 'OT-CORR-3', estado_nombre: 'Completada' }),
      'OT-CORR-4': workOrder({ numeroot: 'OT-CORR-4', idtecnicoasignado: null }),
    };
    const h = harness({ identity: TECHNICIAN, orders });
    expect(await h.say('completar OT-CORR-9')).toMatch(/^No encontré la orden OT-CORR-9/);
    expect(await h.say('completar OT-CORR-2')).toMatch(/^La orden OT-CORR-2 no está asignada a ti/);
    expect(await h.say('completar OT-CORR-4')).toMatch(/no está asignada a ti/);
    expect(await h.say('completar OT-CORR-3')).toMatch(/^La orden OT-CORR-3 ya está cerrada \(Completada\)/);
    expect(h.state()).toBe('idle');
    expect(h.started).toHaveLength(0);
    expect(await harness({ identity: TECHNICIAN, orders: 'fail' }).say('completar OT-CORR-1')).toMatch(
      /No pude consultar esa orden/,
    );
  });

  it('asks to link again before completing when the link expired meanwhile, then completes', async () => {
    const h = harness({ identity: TECHNICIAN, orders: { 'OT-CORR-1': ORDER } });
    await h.say('completar OT-CORR-1');
    await h.say('Cambio de sello');
    await h.say('20');
    h.user.identity = { ...TECHNICIAN, expired: true };
    expect(await h.say('sí')).toMatch(/^Para eso necesito saber quién eres en el CMMS/);
    await h.link(TECHNICIAN);
    expect(h.started[0]).toMatchObject({
      dagId: 'completar_ot',
      params: { numeroot: 'OT-CORR-1', idusuario: 7, observaciones: 'Cambio de sello', minutos: 20 },
    });
  });

  it('asks to link again when the CMMS refuses their token during the lookup, then goes on', async () => {
    const h = harness({ identity: TECHNICIAN, expiredToken: true, channel: 'whatsapp' });
    const text = await h.say('completar OT-CORR-1');
    expect(text).toMatch(/^Tu sesión del CMMS ya no es válida.*vuelvo a intentar tu solicitud\.$/s);
    expect(h.state()).toBe('linking.waiting');
    const relinked = harness({ identity: TECHNICIAN, orders: { 'OT-CORR-1': ORDER }, snapshot: h.persisted() });
    expect(await relinked.link(TECHNICIAN)).toMatch(/Sigo con tu solicitud\.\nVas a completar la orden OT-CORR-1/);
    expect(relinked.state()).toBe('completing.observations');
  });

  it('may not see or assign orders without a technician', async () => {
    const h = harness({ identity: TECHNICIAN });
    expect(await h.say('OT sin asignar')).toMatch(/es para supervisores y administradores/);
    expect(await h.say('asignar OT-CORR-1 a Luis')).toMatch(/es para supervisores y administradores/);
    expect(h.started).toHaveLength(0);
  });
});

describe('Supervisor and Administrador', () => {
  it('list the orders without a technician', async () => {
    for (const identity of [SUPERVISOR, ADMIN]) {
      const h = harness({ identity });
      await h.say('OT sin asignar');
      expect(h.started[0]).toMatchObject({ dagId: 'listar_ot_sin_asignar', params: {} });
    }
  });

  it('assign at once when one technician matches', async () => {
    const h = harness({ identity: SUPERVISOR, technicians: TECHNICIANS });
    expect(await h.say('asignar OT-CORR-1 a Juan Pérez')).toMatch(/asignando la orden OT-CORR-1/);
    expect(h.calls.findTechnicians).toEqual(['Juan Pérez']);
    expect(h.started[0]).toMatchObject({ dagId: 'asignar_ot', params: { numeroot: 'OT-CORR-1', idtecnico: 7 } });
  });

  it('offer buttons when several technicians match, and assign the one pressed', async () => {
    const h = harness({ identity: ADMIN, technicians: TECHNICIANS });
    expect(await h.say('asignar OT-CORR-1 a Soto')).toMatch(
      /Encontré varios técnicos\. ¿A cuál asigno la orden OT-CORR-1\?/,
    );
    expect(h.buttons[0]).toEqual([
      { id: 'technician:11', title: 'Luis Soto' },
      { id: 'technician:12', title: 'María Fernanda Soto…' },
    ]);
    expect(await h.say('Confirmar', 'confirm:yes')).toMatch(/pregunta anterior/);
    await h.say('María Fernanda Soto…', 'technician:12');
    expect(h.started[0]).toMatchObject({ dagId: 'asignar_ot', params: { numeroot: 'OT-CORR-1', idtecnico: 12 } });
  });

  it('ask for the technician when none is named, and again when nobody matches', async () => {
    const h = harness({ identity: SUPERVISOR, technicians: TECHNICIANS });
    expect(await h.say('asignar la OT-CORR-1')).toMatch(/^¿A qué técnico asigno la orden OT-CORR-1\?/);
    expect(await h.say('Ramírez')).toMatch(/No encontré ningún técnico que coincida con "Ramírez"/);
    expect(h.state()).toBe('assigning.technician');
    await h.say('luis');
    expect(h.started[0]).toMatchObject({ dagId: 'asignar_ot', params: { idtecnico: 11 } });
    expect(await harness({ identity: SUPERVISOR }).say('asignar una OT')).toMatch(/¿Qué orden quieres asignar\?/);
  });

  it('ask to link again when the CMMS refuses their token while looking for technicians', async () => {
    const h = harness({ identity: SUPERVISOR, expiredToken: true });
    expect(await h.say('asignar OT-CORR-1 a Luis')).toMatch(/^Tu sesión del CMMS ya no es válida/);
    const relinked = harness({ identity: SUPERVISOR, technicians: TECHNICIANS, snapshot: h.persisted() });
    await relinked.link(SUPERVISOR);
    expect(relinked.started[0]).toMatchObject({
      dagId: 'asignar_ot',
      params: { numeroot: 'OT-CORR-1', idtecnico: 11 },
    });
  });

  it('may not start, complete or list assigned orders: that is for technicians', async () => {
    const h = harness({ identity: SUPERVISOR });
    expect(await h.say('iniciar OT-CORR-1')).toMatch(/^Iniciar y completar órdenes es para técnicos/);
    expect(await h.say('completar OT-CORR-1')).toMatch(/^Iniciar y completar órdenes es para técnicos/);
    expect(await h.say('mis OT asignadas')).toMatch(/son las de los técnicos/);
    expect(h.calls.findWorkOrder).toHaveLength(0);
  });
});

describe('Operador / Solicitante', () => {
  it('report and follow their own orders, and are told politely who does the rest', async () => {
    const h = harness({ identity: { ...OPERATOR, role: 'Solicitante' } });
    expect(await h.say('iniciar OT-CORR-1')).toMatch(/es para técnicos/);
    expect(await h.say('OT sin asignar')).toMatch(/es para supervisores/);
    expect(await h.say('reportar falla')).toMatch(/¿En qué equipo\?/);
  });
});

describe('help and menus offer what the role may do', () => {
  const help = async (identity: Parameters<typeof harness>[0]) => harness(identity).say('ayuda');

  it('per role', async () => {
    const technician = await help({ identity: TECHNICIAN });
    expect(technician).toContain('"mis OT asignadas"');
    expect(technician).toContain('"completar OT-CORR-1"');
    expect(technician).not.toContain('OT sin asignar');
    expect(technician).not.toContain('vincular cuenta');

    const supervisor = await help({ identity: SUPERVISOR });
    expect(supervisor).toContain('"asignar OT-CORR-1 a Juan Pérez"');
    expect(supervisor).not.toContain('iniciar OT');

    const operator = await help({ identity: OPERATOR });
    expect(operator).toContain('"mis OT"');
    expect(operator).not.toMatch(/iniciar OT|asignar OT|OT sin asignar|mis OT asignadas/);

    const unlinked = await help({});
    expect(unlinked).toContain('"vincular cuenta"');
    expect(unlinked).not.toContain('"mis OT"');
    expect(unlinked).toMatch(/Reportar una falla.*estado de una OT.*Listar los equipos.*órdenes pendientes/s);
  });

  it('greeting buttons', async () => {
    const ids = async (identity: Parameters<typeof harness>[0]) => {
      const h = harness(identity);
      await h.say('hola');
      return h.buttons[0]?.map((b) => b.id);
    };
    expect(await ids({})).toEqual([
      'intent:report_failure',
      'intent:work_order_status',
      'intent:list_equipment',
      'intent:link',
    ]);
    expect(await ids({ identity: TECHNICIAN })).toContain('intent:my_assigned_orders');
    expect(await ids({ identity: SUPERVISOR })).toContain('intent:unassigned_orders');
    expect(await ids({ identity: OPERATOR })).toEqual([
      'intent:report_failure',
      'intent:my_orders',
      'intent:work_order_status',
      'intent:list_equipment',
    ]);
    const h = harness({ identity: TECHNICIAN });
    expect(await h.say('hola')).toMatch(/^¡Hola, Juan Pérez!/);
    await h.say('Mis OT asignadas', 'intent:my_assigned_orders');
    expect(h.started[0]?.params).toMatchObject({ filtro: 'asignadas' });
  });
});
