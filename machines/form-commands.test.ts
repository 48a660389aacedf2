/**
 * A command typed while a form waits for free text is a new topic, free text stays the answer; a
 * stray "sí" gets a short answer; refusals and help name the right people.
 */
import { describe, expect, it } from 'vitest';
import { ADMIN, harness, OPERATOR, SUPERVISOR, TECHNICIAN, workOrder } from '../test/support/machine-harness.ts';

const ORDERS = {
  'OT-CORR-1': workOrder({ numeroot: 'OT-CORR-1' }),
  'OT-CORR-2': workOrder({ numeroot: 'OT-CORR-2', equipo_nombre: 'Camión Komatsu 930E' }),
};

async function atObservations() {
  const h = harness({ identity: TECHNICIAN, orders: ORDERS });
  await h.say('completar OT-CORR-1');
  expect(h.state()).toBe('completing.observations');
  return h;
}

describe('the observations and minutes of a completion', () => {
  it('"borrar mis datos" is not an observation: the order is left and the data question asked', async () => {
    const h = await atObservations();
    expect(await h.say('borrar mis datos')).toMatch(
      /^Dejé la orden OT-CORR-1 sin completar\.\nVoy a borrar tus datos de este chat/,
    );
    expect(h.state()).toBe('erasing.confirming');
    expect(h.persisted().context.task).toBeNull();
  });

  it('"ayuda", "hola" and "mis OT" are answered as such', async () => {
    const help = await atObservations();
    expect(await help.say('ayuda')).toMatch(/^Dejé la orden OT-CORR-1 sin completar\.\nEsto es lo que puedo hacer:/);
    expect(help.state()).toBe('idle');
    const hello = await atObservations();
    expect(await hello.say('hola')).toMatch(/¡Hola, Juan Pérez!/);
    const mine = await atObservations();
    await mine.say('mis OT');
    expect(mine.started[0]?.dagId).toBe('listar_mis_ot');
  });

  it('"finalizar OT-CORR-2" completes that order instead', async () => {
    const h = await atObservations();
    expect(await h.say('finalizar OT-CORR-2')).toMatch(/Vas a completar la orden OT-CORR-2 \(Camión Komatsu 930E\)/);
    expect(h.calls.findWorkOrder).toEqual(['OT-CORR-1', 'OT-CORR-2']);
  });

  it('a status question is checked', async () => {
    const h = await atObservations();
    await h.say('estado de OT-CORR-2');
    expect(h.started[0]).toMatchObject({ dagId: 'consultar_estado_ot', params: { numeroot: 'OT-CORR-2' } });
  });

  it('the time typed first asks for the observations again', async () => {
    const h = await atObservations();
    expect(await h.say('45 minutos')).toMatch(/^Primero escribe las observaciones finales/);
    expect(h.state()).toBe('completing.observations');
  });

  it('free text that mentions orders, states or menus stays the observation', async () => {
    const h = await atObservations();
    const text = 'Se completó el cambio de sello en la OT-CORR-1; ver menú de diagnóstico, estado operativo';
    expect(await h.say(text)).toMatch(/¿Cuánto tiempo te tomó el trabajo/);
    await h.say('45');
    expect(h.persisted().context.task).toMatchObject({ observaciones: text, minutos: 45 });
  });

  it('"menu" or "menú" at the minutes question goes back to the menu', async () => {
    for (const menu of ['menu', 'menú']) {
      const h = await atObservations();
      await h.say('Cambio de sello del cilindro');
      const text = await h.say(menu);
      expect(text).toMatch(/^Dejé la orden OT-CORR-1 sin completar\.\nEsto es lo que puedo hacer:/);
      expect(text).not.toMatch(/No entendí el tiempo/);
      expect(h.state()).toBe('idle');
    }
  });
});

describe('the description of a failure report', () => {
  const atDescription = async () => {
    const h = harness();
    await h.say('reportar falla');
    await h.say('CAT-001');
    expect(h.state()).toBe('reporting.description');
    return h;
  };

  it('a command leaves the report, said so; a description about a failure stays', async () => {
    const help = await atDescription();
    expect(await help.say('ayuda')).toMatch(/^Dejé el reporte de falla sin enviar\.\nEsto es lo que puedo hacer:/);
    const status = await atDescription();
    await status.say('estado de OT-CORR-1');
    expect(status.started[0]?.dagId).toBe('consultar_estado_ot');
    const described = await atDescription();
    expect(await described.say('Revisé el estado del motor: falla en la bomba hidráulica')).toMatch(/prioridad/);
  });
});

describe('a stray "sí", "ok" or "no" when nothing is asked', () => {
  it('gets a short answer instead of "No entendí" and the whole menu', async () => {
    const h = harness({ identity: TECHNICIAN });
    for (const stray of ['sí', 'no']) {
      expect(await h.say(stray)).toBe('¿En qué te ayudo? Escribe "ayuda" para ver las opciones.');
    }
    for (const acknowledged of ['ok', 'Dale']) {
      expect(await h.say(acknowledged)).toBe('Perfecto. Si necesitas algo más, escribe "menú".');
    }
    expect(await h.say('blablabla')).toMatch(/^No entendí tu mensaje/);
  });
});

describe('who does what', () => {
  it('a supervisor refused iniciar/completar hears that the assigned technician does it', async () => {
    for (const identity of [SUPERVISOR, ADMIN]) {
      const h = harness({ identity });
      for (const text of ['iniciar OT-CORR-1', 'completar OT-CORR-1']) {
        const refusal = await h.say(text);
        expect(refusal).toMatch(/lo hace el técnico asignado a cada orden/);
        expect(refusal).not.toMatch(/supervisor/);
      }
    }
    expect(await harness({ identity: OPERATOR }).say('iniciar OT-CORR-1')).toMatch(
      /pídeselo al técnico asignado o a un supervisor/,
    );
  });

  it('the help of supervisors and administrators offers "hablar con una persona"', async () => {
    for (const identity of [SUPERVISOR, ADMIN]) {
      const help = await harness({ identity }).say('ayuda');
      expect(help).toContain('"hablar con una persona"');
      expect(help).not.toContain('hablar con un supervisor');
    }
    expect(await harness({ identity: TECHNICIAN }).say('ayuda')).toContain('"hablar con un supervisor"');
  });
});
