import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { AgentLabel } from '../core/runtime/model.ts';
import type { Reply } from '../lib/reply.ts';
import { harness, TECHNICIAN, workOrder } from '../test/support/machine-harness.ts';

/** The harness, with every reply kept whole (kind, template, agent). */
function conversation(opts: Parameters<typeof harness>[0] = {}) {
  const h = harness(opts);
  const replies: Reply[] = [];
  h.actor.on('reply', (e) => replies.push(e.reply));
  return { ...h, replies };
}

describe('what each reply is', () => {
  it('"Procesando…" is processing; the outcome is a result, with the order’s template when about one', async () => {
    const h = conversation({ identity: TECHNICIAN });
    await h.say('iniciar OT-CORR-1');
    expect(h.replies.at(-1)).toMatchObject({ kind: 'processing', text: expect.stringMatching(/iniciando/) });
    const started = workOrder({ numeroot: 'OT-CORR-1', estado_nombre: 'En Progreso' });
    await h.finish({ result: { order: started, changed: true } });
    expect(h.replies.at(-1)).toEqual({
      text: 'Listo, la orden OT-CORR-1 quedó En Progreso.',
      kind: 'result',
      template: { orderNumber: 'OT-CORR-1', equipment: 'Excavadora CAT 320', state: 'En Progreso' },
    });
  });

  it('a result without the order’s equipment, or about no single order, has no template', async () => {
    const h = conversation({ identity: TECHNICIAN });
    await h.say('iniciar OT-CORR-1');
    await h.finish({ result: { order: workOrder({ numeroot: 'OT-CORR-1', equipo_nombre: null }), changed: true } });
    expect(h.replies.at(-1)?.kind).toBe('result');
    expect(h.replies.at(-1)).not.toHaveProperty('template');

    await h.say('mis OT asignadas');
    await h.finish({ result: { orders: [], total: 0, filtro: 'asignadas' } });
    expect(h.replies.at(-1)?.kind).toBe('result');
    expect(h.replies.at(-1)).not.toHaveProperty('template');
  });

  it('a failure, a start that failed and a timeout are results too; questions are plain answers', async () => {
    const h = conversation({ identity: TECHNICIAN });
    await h.say('estado OT-CORR-9');
    await h.finish({ error: { code: 'order_not_found', message: 'no' } });
    expect(h.replies.at(-1)).toMatchObject({ kind: 'result', text: expect.stringMatching(/^No pude/) });

    const refused = conversation({ refuseStarts: ['dag_paused'] });
    await refused.say('estado OT-CORR-9');
    expect(refused.replies.map((r) => r.kind)).toEqual(['processing', 'result']);

    const clock = new SimulatedClock();
    const late = conversation({ clock });
    await late.say('estado OT-CORR-9');
    clock.increment(60_000);
    expect(late.replies.at(-1)).toMatchObject({ kind: 'result', text: expect.stringMatching(/tardando/) });

    await late.say('hola');
    expect(late.replies.at(-1)).not.toHaveProperty('kind');
  });
});

describe('a person’s reply in a hand-off', () => {
  const reply = async (agent?: Partial<AgentLabel>) => {
    const h = conversation();
    await h.say('hablar con un supervisor');
    await h.send({
      type: 'agent.message',
      text: 'Voy en camino',
      ...(agent ? { agent: agent as AgentLabel } : {}),
      at: 1_700_000_100_000,
    });
    return h.replies.at(-1);
  };

  it('is signed with the name and role', async () => {
    expect(await reply({ name: 'Ana', role: 'supervisora' })).toEqual({
      text: 'Ana (supervisora): Voy en camino',
      kind: 'agent',
      agent: 'Ana (supervisora)',
    });
    expect(await reply({ name: '  Ana  ', role: ' supervisora ' })).toMatchObject({ agent: 'Ana (supervisora)' });
  });

  it('leaves out a missing or bad role', async () => {
    expect(await reply({ name: 'Ana' })).toMatchObject({ text: 'Ana: Voy en camino', agent: 'Ana' });
    for (const role of ['', '   ', 'x'.repeat(41), 'jefa\nde turno', 'jefa\u0007', 'jefa\u202e']) {
      expect(await reply({ name: 'Ana', role })).toMatchObject({ text: 'Ana: Voy en camino', agent: 'Ana' });
    }
    expect(await reply({ name: 'Ana', role: 'x'.repeat(40) })).toMatchObject({ agent: `Ana (${'x'.repeat(40)})` });
  });

  it('signs as "Operador" without a valid name', async () => {
    for (const agent of [
      undefined,
      { name: '' },
      { name: '  ' },
      { name: 'A'.repeat(41), role: 'jefa' },
      { name: 'An\ra' },
    ]) {
      expect(await reply(agent)).toEqual({ text: 'Operador: Voy en camino', kind: 'agent', agent: 'Operador' });
    }
    expect(await reply({ name: 42 as unknown as string })).toMatchObject({ agent: 'Operador' });
  });
});
