import { describe, expect, it } from 'vitest';
import { detectChanges } from '../../core/notify/detect.ts';
import { watchedOrderOf } from '../../core/notify/orders.ts';
import { memorySeenStore } from '../../core/notify/seen-store.ts';
import type { SeenState, WatchedOrder } from '../../core/notify/types.ts';
import { watchedOrder } from './support.ts';

const nothingSeen = (): SeenState => ({ baseline: false, epoch: 0, orders: new Map(), pending: [] });

/** Detects, then records what was detected (as the poller does); a baseline taken at time 0, so ids count from 1. */
async function look(store = memorySeenStore(), orders: WatchedOrder[]) {
  const detection = detectChanges(orders, await store.load(), 0);
  await store.record(detection);
  return detection;
}

describe('order change detection', () => {
  it('records a baseline on the first look and reports nothing', async () => {
    const store = memorySeenStore();
    const first = await look(store, [watchedOrder(), watchedOrder({ id: 13, number: 'OT-PREV-3', state: 'Asignada' })]);
    expect(first.baseline).toBe(true);
    expect(first.changes).toEqual([]);
    // The next look with nothing changed reports nothing either.
    const second = await look(store, [
      watchedOrder(),
      watchedOrder({ id: 13, number: 'OT-PREV-3', state: 'Asignada' }),
    ]);
    expect(second.baseline).toBe(false);
    expect(second.changes).toEqual([]);
  });

  it('reports a state change with the previous state, the technician and the requester', async () => {
    const store = memorySeenStore();
    await look(store, [watchedOrder({ state: 'Asignada', technicianId: 3, technicianName: 'Juan Pérez' })]);
    const { changes } = await look(store, [
      watchedOrder({
        state: 'Completada',
        technicianId: 3,
        technicianName: 'Juan Pérez',
        observations: 'Cambio de filtro',
      }),
    ]);
    expect(changes).toEqual([
      {
        changeId: '12:1',
        orderId: 12,
        number: 'OT-CORR-1',
        equipment: 'Excavadora CAT 320',
        state: 'Completada',
        previousState: 'Asignada',
        technicianId: 3,
        technicianName: 'Juan Pérez',
        previousTechnicianId: 3,
        previousTechnicianName: 'Juan Pérez',
        requesterId: 7,
        observations: 'Cambio de filtro',
      },
    ]);
  });

  it('reports a technician change in the same state, and counts each change of the order up', async () => {
    const store = memorySeenStore();
    await look(store, [watchedOrder()]);
    const assigned = await look(store, [watchedOrder({ technicianId: 5, technicianName: 'María González' })]);
    expect(assigned.changes).toMatchObject([
      {
        changeId: '12:1',
        state: 'Abierta',
        previousState: 'Abierta',
        technicianId: 5,
        technicianName: 'María González',
      },
    ]);
    expect(assigned.changes[0]).not.toHaveProperty('previousTechnicianId');
    const reassigned = await look(store, [watchedOrder({ technicianId: 3, technicianName: 'Juan Pérez' })]);
    expect(reassigned.changes).toMatchObject([
      { changeId: '12:2', technicianId: 3, previousTechnicianId: 5, previousTechnicianName: 'María González' },
    ]);
  });

  it('ignores a changed name or observations when neither state nor technician moved', async () => {
    const store = memorySeenStore();
    await look(store, [watchedOrder({ technicianId: 3, technicianName: 'Juan Pérez' })]);
    const { changes } = await look(store, [
      watchedOrder({ technicianId: 3, technicianName: 'Juan A. Pérez', observations: 'nota', equipment: 'Otra' }),
    ]);
    expect(changes).toEqual([]);
  });

  it('reports an order created after the baseline as new (no previous state)', async () => {
    const store = memorySeenStore();
    await look(store, [watchedOrder()]);
    const { changes } = await look(store, [
      watchedOrder(),
      watchedOrder({ id: 40, number: 'OT-CORR-40', technicianId: 4, technicianName: 'Carla Rojas', requesterId: 4 }),
    ]);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      changeId: '40:1',
      orderId: 40,
      state: 'Abierta',
      technicianId: 4,
      requesterId: 4,
    });
    expect(changes[0]).not.toHaveProperty('previousState');
    expect(changes[0]).not.toHaveProperty('previousTechnicianId');
  });

  it('gives the same change id when a look is repeated before the seen state was saved', async () => {
    const store = memorySeenStore();
    await look(store, [watchedOrder()]);
    const seen = await store.load();
    const now = [watchedOrder({ state: 'En Progreso' })];
    const first = detectChanges(now, seen);
    const again = detectChanges(now, await store.load());
    expect(again.changes.map((c) => c.changeId)).toEqual(first.changes.map((c) => c.changeId));
    expect(first.changes.map((c) => c.changeId)).toEqual(['12:1']);
    // Once saved, the same orders are no change any more; the next one is the order's change 2.
    await store.record(first);
    expect(detectChanges(now, await store.load()).changes).toEqual([]);
    expect(detectChanges([watchedOrder({ state: 'Completada' })], await store.load()).changes[0]?.changeId).toBe(
      '12:2',
    );
  });

  it('carries the priority, the equipment code and the reported problem with every change', async () => {
    const store = memorySeenStore();
    const details = { equipmentCode: 'CAT-001', priority: 'Alta', description: 'Fuga de aceite en el brazo' };
    await look(store, [watchedOrder(details)]);
    const { changes } = await look(store, [
      watchedOrder({ ...details, technicianId: 5, technicianName: 'María González' }),
      watchedOrder({ id: 13, number: 'OT-13' }),
    ]);
    expect(changes[0]).toMatchObject(details);
    // The CMMS gave none of them: none is said.
    expect(changes[1]).not.toHaveProperty('priority');
    expect(changes[1]).not.toHaveProperty('equipmentCode');
    expect(changes[1]).not.toHaveProperty('description');
  });

  it('counts an order listed twice once', async () => {
    const store = memorySeenStore();
    await look(store, [watchedOrder()]);
    const { changes } = await look(store, [watchedOrder({ state: 'Asignada' }), watchedOrder({ state: 'Asignada' })]);
    expect(changes.map((change) => change.changeId)).toEqual(['12:1']);
  });

  it('leaves the closing observations out unless the order is completed', () => {
    const seen: SeenState = {
      baseline: true,
      epoch: 0,
      pending: [],
      orders: new Map([[12, { state: 'Abierta', technicianId: null, technicianName: null, sequence: 0 }]]),
    };
    const { changes } = detectChanges([watchedOrder({ state: 'En Progreso', observations: 'falla reportada' })], seen);
    expect(changes[0]).not.toHaveProperty('observations');
    expect(detectChanges([], nothingSeen()).baseline).toBe(true);
  });
});

describe('CMMS work orders as the detector reads them', () => {
  it('takes the fields of an order record and skips what is no order', () => {
    expect(
      watchedOrderOf({
        idordentrabajo: 12,
        numeroot: 'OT-CORR-1',
        equipo_nombre: 'Excavadora CAT 320',
        estado_nombre: 'Asignada',
        idtecnicoasignado: 10,
        tecnico_nombre: 'Juan Pérez',
        idsolicitante: 4,
        observacionesfinales: null,
      }),
    ).toEqual({
      id: 12,
      number: 'OT-CORR-1',
      equipment: 'Excavadora CAT 320',
      equipmentCode: null,
      state: 'Asignada',
      technicianId: 10,
      technicianName: 'Juan Pérez',
      requesterId: 4,
      observations: null,
      priority: null,
      description: null,
    });
    // A technician's name without the technician's id names nobody assigned.
    expect(watchedOrderOf({ idordentrabajo: 3, numeroot: 'OT-3', tecnico_nombre: 'Juan Pérez' })).toMatchObject({
      technicianId: null,
      technicianName: null,
      equipment: 'Equipo 3',
    });
    // What an assignment notice quotes, as a v2 list gives it (v1 has no equipment code).
    expect(
      watchedOrderOf({
        idordentrabajo: 13,
        numeroot: 'OT-13',
        equipo_nombre: 'Excavadora CAT 336',
        equipo_codigo: 'CAT-002',
        prioridad: 'Crítica',
        descripcionproblemareportado: `Rotura de manguera hidráulica\nen el brazo ${'y fuga '.repeat(30)}`,
      }),
    ).toMatchObject({
      equipment: 'Excavadora CAT 336',
      equipmentCode: 'CAT-002',
      priority: 'Crítica',
      description: expect.stringMatching(/^Rotura de manguera hidráulica en el brazo y fuga .+…$/),
    });
    expect(watchedOrderOf({ numeroot: 'OT-1' })).toBeNull();
    expect(watchedOrderOf({ idordentrabajo: 3 })).toBeNull();
    expect(watchedOrderOf({ idordentrabajo: -1, numeroot: 'OT-1' })).toBeNull();
  });
});
