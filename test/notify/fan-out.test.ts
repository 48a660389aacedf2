import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../core/errors.ts';
import { silentLogger } from '../../core/log.ts';
import { fanOut } from '../../core/notify/fan-out.ts';
import type { NotifyChange } from '../../core/notify/types.ts';
import type { OrderChange, OrderChangedEvent } from '../../core/runtime/model.ts';
import type { TurnResult } from '../../core/runtime/types.ts';

/** Juan (10) and María (11) are technicians, Valentina (4) a requester; Juan has two chats. */
const CHATS: Record<number, string[]> = {
  4: ['telegram:4001'],
  10: ['whatsapp:56910', 'web:juan'],
  11: ['telegram:1101'],
};

interface Told {
  conversationId: string;
  changeId: string;
  relation: OrderChangedEvent['relation'];
  change: OrderChange;
}

/** A runtime that records what it was asked to tell; each chat told once per change (a repeat: duplicate). */
function recordingRuntime(options: { fails?: (conversationId: string) => Error | undefined; unknown?: string[] } = {}) {
  const told: Told[] = [];
  const runtime = {
    async notifyOrderChange(conversationId: string, change: OrderChange, relation: OrderChangedEvent['relation']) {
      const failure = options.fails?.(conversationId);
      if (failure) throw failure;
      if (options.unknown?.includes(conversationId)) return null;
      const duplicate = told.some((t) => t.conversationId === conversationId && t.changeId === change.changeId);
      if (!duplicate) told.push({ conversationId, changeId: change.changeId, relation, change });
      return { conversationId, replies: [], state: 'idle', status: 'idle', duplicate } satisfies TurnResult;
    },
  };
  return { runtime, told };
}

const identity = { conversationsOf: async (userId: number) => CHATS[userId] ?? [] };

const change = (overrides: Partial<NotifyChange>): NotifyChange => ({
  changeId: '12:1',
  orderId: 12,
  number: 'OT-CORR-1',
  equipment: 'Excavadora CAT 320',
  state: 'En Progreso',
  previousState: 'Asignada',
  technicianId: 10,
  technicianName: 'Juan Pérez',
  previousTechnicianId: 10,
  previousTechnicianName: 'Juan Pérez',
  requesterId: 4,
  ...overrides,
});

const relations = (told: Told[]) => told.map((t) => `${t.conversationId}=${t.relation}`).sort();

describe('telling a change to the linked chats', () => {
  it('tells the requester and every chat of the technician of a state change', async () => {
    const { runtime, told } = recordingRuntime();
    const outcome = await fanOut({ runtime, identity, logger: silentLogger }, [change({})]);
    expect(relations(told)).toEqual(['telegram:4001=requester', 'web:juan=technician', 'whatsapp:56910=technician']);
    expect(outcome).toMatchObject({ notified: 3, duplicates: 0 });
    expect(outcome.retry.size).toBe(0);
    expect(told[0]?.change).toEqual(change({}));
  });

  it('does not tell the requester of a brand-new order; its technician hears of the assignment', async () => {
    const { runtime, told } = recordingRuntime();
    const created = change({ changeId: '40:1', orderId: 40, state: 'Abierta', technicianId: 11 });
    delete created.previousState;
    delete created.previousTechnicianId;
    delete created.previousTechnicianName;
    await fanOut({ runtime, identity, logger: silentLogger }, [created]);
    expect(relations(told)).toEqual(['telegram:1101=technician']);
  });

  it('tells a newly assigned technician and the requester when only the technician changed', async () => {
    const { runtime, told } = recordingRuntime();
    const reassigned = change({
      state: 'Asignada',
      previousState: 'Asignada',
      technicianId: 11,
      previousTechnicianId: 10,
    });
    await fanOut({ runtime, identity, logger: silentLogger }, [reassigned]);
    // María hears she has it, Valentina who has it now, and Juan (both his chats) that he lost it.
    expect(relations(told)).toEqual([
      'telegram:1101=technician',
      'telegram:4001=requester',
      'web:juan=former_technician',
      'whatsapp:56910=former_technician',
    ]);
  });

  it('tells the technician who had the order when it is left without one', async () => {
    const { runtime, told } = recordingRuntime();
    const unassigned = change({ state: 'Abierta', previousState: 'Asignada' });
    delete unassigned.technicianId;
    delete unassigned.technicianName;
    await fanOut({ runtime, identity, logger: silentLogger }, [unassigned]);
    expect(relations(told)).toEqual([
      'telegram:4001=requester',
      'web:juan=former_technician',
      'whatsapp:56910=former_technician',
    ]);
  });

  it('tells nobody of a new order whose technician is its requester (the CMMS makes the reporter its technician)', async () => {
    const { runtime, told } = recordingRuntime();
    // Juan reported a failure: the CMMS made him the requester and the technician of the new order.
    const reported = change({ changeId: '41:1', orderId: 41, state: 'Abierta', technicianId: 10, requesterId: 10 });
    delete reported.previousState;
    delete reported.previousTechnicianId;
    delete reported.previousTechnicianName;
    expect(await fanOut({ runtime, identity, logger: silentLogger }, [reported])).toMatchObject({ notified: 0 });
    expect(told).toEqual([]);

    // A supervisor assigns it to María later: she is told; Juan hears it as the one who asked for it.
    const assigned = change({
      changeId: '41:2',
      orderId: 41,
      state: 'Asignada',
      previousState: 'Abierta',
      technicianId: 11,
      technicianName: 'María González',
      previousTechnicianId: 10,
      requesterId: 10,
    });
    await fanOut({ runtime, identity, logger: silentLogger }, [assigned]);
    expect(relations(told)).toEqual(['telegram:1101=technician', 'web:juan=requester', 'whatsapp:56910=requester']);
  });

  it('tells a person who is requester and technician once per chat: as technician when newly assigned', async () => {
    const { runtime, told } = recordingRuntime();
    const assignedToSelf = change({
      technicianId: 4,
      previousTechnicianId: 10,
      state: 'Asignada',
      previousState: 'Abierta',
    });
    await fanOut({ runtime, identity, logger: silentLogger }, [assignedToSelf]);
    expect(relations(told)).toEqual([
      'telegram:4001=technician',
      'web:juan=former_technician',
      'whatsapp:56910=former_technician',
    ]);

    const { runtime: again, told: toldAgain } = recordingRuntime();
    const ownOrderMoves = change({ changeId: '12:2', technicianId: 4, previousTechnicianId: 4 });
    await fanOut({ runtime: again, identity, logger: silentLogger }, [ownOrderMoves]);
    expect(relations(toldAgain)).toEqual(['telegram:4001=requester']);
  });

  it('counts a chat told before as a duplicate and a chat without conversation as nobody', async () => {
    const { runtime } = recordingRuntime({ unknown: ['web:juan'] });
    const deps = { runtime, identity, logger: silentLogger };
    expect(await fanOut(deps, [change({})])).toMatchObject({ notified: 2, duplicates: 0 });
    expect(await fanOut(deps, [change({})])).toMatchObject({ notified: 0, duplicates: 2 });
  });

  it('goes on with the other chats when one fails, and reports that change for a retry', async () => {
    const busy = new UnavailableError('busy', 'conversation is too busy, try again');
    const { runtime, told } = recordingRuntime({ fails: (id) => (id === 'whatsapp:56910' ? busy : undefined) });
    const other = change({
      changeId: '13:4',
      orderId: 13,
      technicianId: 11,
      previousTechnicianId: 11,
      requesterId: 99,
    });
    const outcome = await fanOut({ runtime, identity, logger: silentLogger }, [change({}), other]);
    expect(relations(told)).toEqual(['telegram:1101=technician', 'telegram:4001=requester', 'web:juan=technician']);
    expect([...outcome.retry]).toEqual(['12:1']);
    expect(outcome.retryError).toBe(busy);
  });

  it('fails as a whole, telling nobody, when the links cannot be read', async () => {
    const { runtime, told } = recordingRuntime();
    const down = {
      conversationsOf: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
      },
    };
    await expect(fanOut({ runtime, identity: down, logger: silentLogger }, [change({})])).rejects.toThrow(
      /ECONNREFUSED/,
    );
    expect(told).toEqual([]);
  });
});
