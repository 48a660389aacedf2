/**
 * What technicians say around their requests, with nothing asked: goodbyes, "ok", "buen día", a
 * person in any phrasing. Answered briefly and never with "No entendí"; inside a question "ok" and
 * "ya po" still confirm.
 */
import { describe, expect, it } from 'vitest';
import { understoodConversation } from '../test/support/understood-harness.ts';

const FAREWELL = '¡Hasta luego! Si necesitas algo más, escríbeme cuando quieras.';
const ACKNOWLEDGE = 'Perfecto. Si necesitas algo más, escribe "menú".';

describe('small talk with nothing asked', () => {
  it('says goodbye to "chao" and its kin', async () => {
    for (const text of ['chao', 'nos vemos', 'hasta mañana', 'me voy']) {
      const h = understoodConversation();
      expect(await h.say(text), text).toBe(FAREWELL);
      expect(h.state()).toBe('idle');
    }
  });

  it('takes "ok", "ya po", "dale", "listo" as an acknowledgement, not as something it did not understand', async () => {
    for (const text of ['ok', 'ya po', 'dale', 'listo', 'perfecto', 'bacán']) {
      const h = understoodConversation();
      const reply = await h.say(text);
      expect(reply, text).toBe(ACKNOWLEDGE);
      expect(reply).not.toMatch(/No entendí/);
    }
  });

  it('greets back a "buen día" with the main actions', async () => {
    for (const text of ['buen día', 'buenas tardes', 'hola']) {
      const h = understoodConversation();
      expect(await h.say(text), text).toMatch(/^¡Hola! Soy el asistente de mantenimiento/);
      expect(h.buttons[0]).toContain('intent:report_failure');
    }
  });

  it('hands off "necesito un supervisor", and "menu" typed without its accent brings the assistant back', async () => {
    const h = understoodConversation();
    const reply = await h.say('necesito un supervisor');
    expect(reply).toMatch(/Un supervisor revisará esta conversación/);
    expect(reply).toMatch(/Escribe "menú" para volver al asistente/);
    expect(h.state()).toBe('handoff');
    expect(await h.say('menu')).toMatch(/Volviste al asistente/);
    expect(h.state()).toBe('idle');
  });

  it('lists what it can do on "menú" and "menu"', async () => {
    for (const text of ['menú', 'menu']) {
      expect(await understoodConversation().say(text), text).toMatch(
        /^Esto es lo que puedo hacer:\n• Reportar una falla/,
      );
    }
  });
});

describe('short answers inside a question', () => {
  it('"ok" and "ya po" confirm a report', async () => {
    for (const yes of ['ok', 'ya po', 'dale']) {
      const h = understoodConversation();
      await h.say('la excavadora CAT-002 tiene una fuga de aceite, urgente');
      expect(h.state()).toBe('reporting.confirming');
      expect(await h.say(yes), yes).toMatch(/registrando la falla/);
      expect(h.started[0]?.dagId).toBe('reportar_falla');
    }
  });

  it('"no" still discards it, and "ok" at the priority question is no priority', async () => {
    const h = understoodConversation();
    await h.say('la excavadora CAT-002 tiene una fuga de aceite, urgente');
    expect(await h.say('no')).toMatch(/no reporté la falla/);
    expect(h.started).toEqual([]);

    const p = understoodConversation();
    await p.say('la excavadora CAT-002 tiene una fuga de aceite');
    expect(await p.say('ok')).toMatch(/No reconocí la prioridad/);
    expect(p.state()).toBe('reporting.priority');
  });
});
