/**
 * Who has the order, as the notices say it: a new assignment with what the technician needs to plan
 * it (equipment code, priority, reported problem), and the technician who lost the order told so,
 * unless they did it themselves through the bot.
 */
import { describe, expect, it } from 'vitest';
import { SUPERVISOR, TECHNICIAN, workOrder } from '../test/support/machine-harness.ts';
import {
  afterStart,
  notifiedConversationByIds as conversation,
  NOTICE_HINT as HINT,
} from '../test/support/notification-harness.ts';

/** OT-CORR-1 assigned to Juan Pérez (7), who did not have it, with the CMMS's details of the order. */
const assigned = {
  state: 'Asignada',
  previousState: 'Abierta',
  previousTechnicianId: undefined,
  previousTechnicianName: undefined,
  equipment: 'Excavadora CAT 336',
  equipmentCode: 'CAT-002',
  priority: 'Crítica',
  description: 'Rotura de manguera hidráulica en el brazo',
};

describe('a new assignment', () => {
  it('tells the technician the equipment code, the priority and the reported problem', async () => {
    const t = conversation({ identity: TECHNICIAN });
    expect(await t.notify(assigned, 'technician')).toBe(
      'Se te asignó la orden OT-CORR-1 del equipo CAT-002 — Excavadora CAT 336 (estado Asignada). Prioridad Crítica. ' +
        `Problema reportado: Rotura de manguera hidráulica en el brazo.\n${HINT}`,
    );
    // The WhatsApp template keeps its three parameters: number, equipment name, state.
    expect(t.replies.at(-1)?.template).toEqual({
      orderNumber: 'OT-CORR-1',
      equipment: 'Excavadora CAT 336',
      state: 'Asignada',
    });
  });

  it('says what the CMMS gave, cutting a long problem to one short line', async () => {
    const t = conversation({ identity: TECHNICIAN });
    await t.notify({ number: 'OT-CORR-0' }, 'technician'); // the first notice, with the hint
    const long = `Pérdida de aceite\nen el cilindro del brazo ${'y de presión '.repeat(20)}`;
    const text = await t.notify(
      { ...assigned, equipmentCode: undefined, priority: undefined, description: long },
      'technician',
    );
    expect(text).toMatch(
      /^Se te asignó la orden OT-CORR-1 del equipo Excavadora CAT 336 \(estado Asignada\)\. Problema reportado: Pérdida de aceite en el cilindro del brazo y de presión .+…$/,
    );
    expect([...text.slice(text.indexOf(': ') + 2)]).toHaveLength(120);
    // Only the priority; an equipment named by its code is not named twice.
    expect(
      await t.notify(
        { ...assigned, equipment: 'CAT-002', priority: 'Alta', description: undefined, changeId: '12:4' },
        'technician',
      ),
    ).toBe('Se te asignó la orden OT-CORR-1 del equipo CAT-002 (estado Asignada). Prioridad Alta.');
  });
});

describe('the technician who had the order', () => {
  const toLuis = {
    state: 'Asignada',
    previousState: 'Asignada',
    technicianId: 11,
    technicianName: 'Luis Soto',
    previousTechnicianId: 7,
    previousTechnicianName: 'Juan Pérez',
  };

  it('hears it went to someone else, or to nobody', async () => {
    const t = conversation({ identity: TECHNICIAN });
    expect(await t.notify(toLuis, 'former_technician')).toBe(
      `La orden OT-CORR-1 del equipo Excavadora CAT 320 ya no está asignada a ti (ahora: Luis Soto).\n${HINT}`,
    );
    expect(t.replies.at(-1)).toMatchObject({ kind: 'notification', template: { state: 'Asignada' } });
    const unassigned = { ...toLuis, changeId: '12:4', technicianId: undefined, technicianName: undefined };
    expect(await t.notify(unassigned, 'former_technician')).toBe(
      'La orden OT-CORR-1 del equipo Excavadora CAT 320 ya no está asignada a ti.',
    );
  });

  it('is not told of a reassignment they made themselves through the bot', async () => {
    const luis = { id: 11, username: 'tecnico11', fullName: 'Luis Soto', role: 'Técnico' };
    const s = conversation({ identity: SUPERVISOR, technicians: [luis] });
    await s.say('asignar OT-CORR-1 a Luis');
    const order = workOrder({ numeroot: 'OT-CORR-1', idtecnicoasignado: 11, tecnico_nombre: 'Luis Soto' });
    await s.finish({ result: { order, changed: true } });
    const fromAna = { ...toLuis, previousTechnicianId: SUPERVISOR.cmmsUserId, previousTechnicianName: 'Ana Rojas' };
    expect(await s.notify(fromAna, 'former_technician', afterStart(3))).toBe('');
    // Someone else's later change is news again.
    const back = { ...fromAna, changeId: '12:4', state: 'En Progreso' };
    expect(await s.notify(back, 'former_technician', afterStart(4))).toMatch(
      /^La orden OT-CORR-1 .* ya no está asignada a ti \(ahora: Luis Soto\)\./,
    );
  });
});
