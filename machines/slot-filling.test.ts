/**
 * A failure report takes everything a message says (equipment, symptom, priority) and asks only for
 * what is missing, at every step: technicians write "la excavadora CAT-002 tiene una fuga de aceite"
 * and are not asked "¿En qué equipo?" again. Messages are understood as the runtime understands
 * them, with the demo CMMS's catalog.
 */
import { describe, expect, it } from 'vitest';
import { harness, OPERATOR } from '../test/support/machine-harness.ts';
import { DEMO_CATALOG, understoodConversation } from '../test/support/understood-harness.ts';
import { isClearCommand } from './commands.ts';
import { understandText } from './understanding.ts';

const PRIORITY_QUESTION = /¿Qué prioridad tiene\?/;
const EQUIPMENT_QUESTION = /¿En qué equipo\?/;

describe('a report said in one message', () => {
  it('names the equipment and the symptom: looked up, then straight to the priority question', async () => {
    const h = understoodConversation();
    const reply = await h.say('la excavadora CAT-002 tiene una fuga de aceite');
    expect(reply).toMatch(PRIORITY_QUESTION);
    expect(reply).toMatch(/CAT-002 — Excavadora CAT 336/);
    expect(reply).toMatch(/tiene una fuga de aceite/);
    expect(reply).not.toMatch(EQUIPMENT_QUESTION);
    expect(h.lookups).toEqual([{ conversationId: 'web:u1', query: 'CAT-002', codes: ['CAT-002'] }]);
    expect(h.state()).toBe('reporting.priority');
  });

  it('with the priority too, goes straight to the confirmation, and sends what was said', async () => {
    const h = understoodConversation();
    const confirm = await h.say('la excavadora CAT-002 tiene una fuga de aceite, urgente');
    expect(confirm).toMatch(
      /Equipo: CAT-002 — Excavadora CAT 336.*Descripción: tiene una fuga de aceite.*Prioridad: Crítica.*¿Confirmas\?/s,
    );
    expect(h.buttons[0]).toEqual(['confirm:yes', 'confirm:no']);
    expect(h.state()).toBe('reporting.confirming');
    expect(await h.say('sí')).toMatch(/registrando la falla/);
    expect(h.started[0]).toMatchObject({
      dagId: 'reportar_falla',
      params: {
        idequipo: 2,
        codigointerno: 'CAT-002',
        equipo_nombre: 'Excavadora CAT 336',
        descripcion: 'tiene una fuga de aceite',
        prioridad: 'Crítica',
      },
    });
  });

  it('asks only for the priority when the truck and its engine problem are named', async () => {
    const h = understoodConversation();
    const reply = await h.say('el KOM-001 tiene un problema en el motor');
    expect(reply).toMatch(/KOM-001 — Camión Komatsu 930E/);
    expect(reply).toMatch(PRIORITY_QUESTION);
    expect(h.draft().description).toBe('tiene un problema en el motor');
  });

  it('"reportar falla en CAT-001" asks for the description, not for the equipment', async () => {
    const h = understoodConversation();
    const reply = await h.say('reportar falla en CAT-001');
    expect(reply).toMatch(/Equipo: CAT-001 — Excavadora CAT 320.*Describe la falla/s);
    expect(reply).not.toMatch(EQUIPMENT_QUESTION);
    expect(h.state()).toBe('reporting.description');
    expect(await h.say('pierde aceite hidráulico por el brazo')).toMatch(PRIORITY_QUESTION);
    expect(await h.say('3')).toMatch(/Prioridad: Alta/);
    expect(await h.say('ok')).toMatch(/registrando la falla/);
    expect(h.started[0]?.params).toMatchObject({
      idequipo: 1,
      descripcion: 'pierde aceite hidráulico por el brazo',
      prioridad: 'Alta',
    });
  });

  it('offers both trucks for "el camión", keeps the symptom, and asks the priority after the choice', async () => {
    const h = understoodConversation();
    expect(await h.say('el camión no arranca')).toMatch(/Encontré varios equipos/);
    expect(h.buttons[0]).toEqual(['equipment:3', 'equipment:4']);
    expect(h.lookups[0]?.codes).toEqual(['KOM-001', 'KOM-002']);
    expect(h.draft().description).toBe('no arranca');
    const reply = await h.say('KOM-002', 'equipment:4');
    expect(reply).toMatch(/KOM-002 — Camión Komatsu 830E/);
    expect(reply).toMatch(/no arranca/);
    expect(reply).toMatch(PRIORITY_QUESTION);
    expect(h.state()).toBe('reporting.priority');
  });

  it('keeps the symptom and the priority when the equipment is not found, and asks for it again', async () => {
    const h = understoodConversation();
    const reply = await h.say('la XYZ-999 pierde aceite por el cilindro, urgente');
    expect(reply).toMatch(/No encontré ningún equipo que coincida con "XYZ-999"/);
    expect(h.state()).toBe('reporting.equipment');
    expect(h.draft()).toMatchObject({ description: 'pierde aceite por el cilindro', priority: 'Crítica' });
    expect(await h.say('CAT-001')).toMatch(/CAT-001.*Prioridad: Crítica.*¿Confirmas\?/s);
  });

  it('asks for the equipment of a symptom said without it, then skips the description', async () => {
    const h = understoodConversation();
    const asked = await h.say('hay una falla en el motor');
    expect(asked).toMatch(EQUIPMENT_QUESTION);
    expect(asked).toMatch(/Descripción: hay una falla en el motor/);
    expect(h.state()).toBe('reporting.equipment');
    const reply = await h.say('CAT-001');
    expect(reply).toMatch(/Falla: hay una falla en el motor/);
    expect(reply).toMatch(PRIORITY_QUESTION);
  });

  it('reads the code by its shape when the event carries no understanding (no catalog)', async () => {
    const h = harness();
    const reply = await h.say('KOM-001 tiene un problema en el motor, urgente');
    expect(reply).toMatch(/No encontré ningún equipo que coincida con "KOM-001"/);
    expect(h.actor.getSnapshot().context.draft).toEqual({
      description: 'tiene un problema en el motor',
      priority: 'Crítica',
    });
    expect(await h.say('CAT-001')).toMatch(/Descripción: tiene un problema en el motor.*Prioridad: Crítica/s);
  });

  it('keeps what the report said while the user links, and goes on with it', async () => {
    const h = understoodConversation({ policy: 'report' });
    expect(await h.say('la excavadora CAT-002 tiene una fuga de aceite')).toMatch(/necesito saber quién eres/);
    expect(h.state()).toBe('linking.waiting');
    const linked = await h.link(OPERATOR);
    expect(linked).toMatch(/Sigo con tu solicitud/);
    expect(linked).toMatch(PRIORITY_QUESTION);
    expect(h.draft()).toMatchObject({ description: 'tiene una fuga de aceite' });
  });
});

describe('every answer read whole', () => {
  it('answering "¿En qué equipo?" with the equipment and the symptom fills both', async () => {
    const h = understoodConversation();
    expect(await h.say('reportar falla')).toMatch(EQUIPMENT_QUESTION);
    const reply = await h.say('la CAT-002, pierde aceite por el cilindro');
    expect(reply).toMatch(PRIORITY_QUESTION);
    expect(reply).toMatch(/Falla: pierde aceite por el cilindro/);
    expect(h.state()).toBe('reporting.priority');
    expect(h.draft().equipment?.codigointerno).toBe('CAT-002');
  });

  it('answering the description with its urgency goes to the confirmation with Crítica', async () => {
    const h = understoodConversation();
    await h.say('reportar falla');
    expect(await h.say('CAT-001')).toMatch(/Describe la falla/);
    const confirm = await h.say('pierde aceite, es urgente');
    expect(confirm).toMatch(/Prioridad: Crítica.*¿Confirmas\?/s);
    expect(h.state()).toBe('reporting.confirming');
    expect(h.draft().description).toMatch(/^pierde aceite/);
  });

  it('takes the priority in the ways technicians say it', async () => {
    const said: Record<string, string> = {
      'no es urgente': 'Baja',
      'cuando puedan': 'Baja',
      'al tiro': 'Alta',
      crítico: 'Crítica',
      urgente: 'Crítica',
      'urgentísimo?': 'Crítica',
      '2': 'Media',
      alta: 'Alta',
    };
    for (const [answer, priority] of Object.entries(said)) {
      const h = understoodConversation();
      await h.say('la excavadora CAT-002 tiene una fuga de aceite');
      expect(await h.say(answer), answer).toMatch(new RegExp(`Prioridad: ${priority}\\n¿Confirmas\\?`));
    }
  });

  it('still takes the priority buttons and the equipment buttons', async () => {
    const h = understoodConversation();
    await h.say('la excavadora tiene una fuga de aceite');
    expect(h.buttons[0]).toEqual(['equipment:1', 'equipment:2']);
    expect(await h.say('CAT-001', 'equipment:1')).toMatch(PRIORITY_QUESTION);
    expect(await h.say('Media', 'priority:media')).toMatch(/Prioridad: Media/);
  });

  it('hands off a person asked for mid-report, and keeps a symptom naming the equipment as the answer', async () => {
    const h = understoodConversation();
    await h.say('reportar falla en CAT-001');
    expect(await h.say('la excavadora sigue detenida desde ayer')).toMatch(PRIORITY_QUESTION);
    expect(h.draft().description).toBe('sigue detenida desde ayer');
    expect(await h.say('necesito un supervisor')).toMatch(/Un supervisor revisará esta conversación/);
    expect(h.state()).toBe('handoff');
  });

  it('reads an answer that names equipment and a symptom as the answer, not as a new topic', () => {
    for (const text of [
      'la CAT-002, pierde aceite por el cilindro',
      'reportar falla en CAT-001',
      'el KOM-001 tiene un problema en el motor',
      'pierde aceite, es urgente',
      'la excavadora CAT-002 tiene una fuga de aceite',
    ]) {
      const understood = understandText(text, DEMO_CATALOG);
      expect(isClearCommand(text, { intent: understood.intent }), text).toBe(false);
    }
  });
});
