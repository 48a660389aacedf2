import { describe, expect, it } from 'vitest';
import { makeRuntime, message, redisStores } from '../../test/support/runtime-harness.ts';
import { topics } from '../events/bus.ts';
import type { TranscriptEntry } from './types.ts';

const stores = redisStores('reply-meta');

const REPORTED = {
  order: {
    idordentrabajo: 31,
    numeroot: 'OT-CORR-CAT-001-31',
    equipo_nombre: 'Excavadora CAT 320',
    estado_nombre: 'Abierta',
    tipo_mantenimiento_nombre: 'Correctivo',
    prioridad: 'Alta',
    tecnico_nombre: null,
    fechacreacionot: null,
    descripcionproblemareportado: 'Pérdida de aceite hidráulico en el brazo',
    idsolicitante: null,
    idtecnicoasignado: null,
    solicitante_nombre: null,
  },
};

describe('what a reply is, from the machine to the channel and the transcript', () => {
  it('a person’s reply carries its label to the channel, the live transcript and the stored one', async () => {
    const { runtime, delivered, bus } = makeRuntime(stores.open());
    const live: TranscriptEntry[] = [];
    bus.subscribe(topics.messages('web:ines'), (entry) => live.push(entry as TranscriptEntry));
    await runtime.receive(message('ines', 'quiero hablar con un supervisor'));
    const turn = await runtime.agentReply('web:ines', 'Voy en camino', { name: 'Ana', role: 'supervisora' });

    const signed = { text: 'Ana (supervisora): Voy en camino', kind: 'agent', agent: 'Ana (supervisora)' };
    expect(turn.replies).toEqual([{ conversationId: 'web:ines', ...signed }]);
    expect(delivered.at(-1)).toEqual({ conversationId: 'web:ines', ...signed });
    expect(live.at(-1)).toMatchObject({ direction: 'out', ...signed });
    expect((await runtime.transcript('web:ines', 10)).at(-1)).toMatchObject({ direction: 'out', ...signed });

    await runtime.agentReply('web:ines', 'Sigo aquí');
    expect(delivered.at(-1)).toMatchObject({ text: 'Operador: Sigo aquí', agent: 'Operador' });
  });

  it('"Procesando…" and the result keep their kinds; the result about one order carries its template', async () => {
    const { runtime, runner, delivered } = makeRuntime(stores.open());
    for (const text of ['reportar falla', 'CAT-001', 'Pérdida de aceite hidráulico en el brazo', 'Alta']) {
      await runtime.receive(message('tomas', text));
    }
    const confirmed = await runtime.receive(message('tomas', 'sí'));
    expect(confirmed.replies).toEqual([
      { conversationId: 'web:tomas', text: expect.stringMatching(/registrando la falla/), kind: 'processing' },
    ]);
    const run = runner.triggers.at(-1)!;
    await runtime.deliverWorkflowResult({
      conversation_id: 'web:tomas',
      run_id: run.runId,
      dag_id: run.dagId,
      status: 'success',
      result: REPORTED,
    });
    expect(delivered.at(-1)).toEqual({
      conversationId: 'web:tomas',
      text: expect.stringMatching(/^Falla reportada\. Se creó la orden de trabajo OT-CORR-CAT-001-31/),
      kind: 'result',
      template: { orderNumber: 'OT-CORR-CAT-001-31', equipment: 'Excavadora CAT 320', state: 'Abierta' },
    });
    const stored = await runtime.transcript('web:tomas', 20);
    expect(stored.filter((e) => e.direction === 'out').map((e) => e.kind ?? null)).toEqual([
      null, // "¿En qué equipo?"
      null,
      null,
      null,
      'processing',
      'result',
    ]);
    // A user’s line has no kind.
    expect(stored.find((e) => e.direction === 'in')).not.toHaveProperty('kind');
  });
});
