import { describe, expect, it } from 'vitest';
import { notifyClaimKey } from '../../core/runtime/notify-turn.ts';
import { createMemoryStore } from '../../core/store/memory-store.ts';
import { makeRuntime, message, redisStores } from '../support/runtime-harness.ts';
import { orderChange, orderChangedEvents } from './support.ts';

const stores = redisStores('notify-runtime');

const change = (changeId = '12:1') => orderChange({ changeId });

describe('ConversationRuntime.notifyOrderChange', () => {
  it('is null for a conversation that does not exist, and claims nothing there', async () => {
    const store = createMemoryStore();
    const { runtime, delivered } = makeRuntime(store);
    expect(await runtime.notifyOrderChange('web:nadie', change(), 'requester')).toBeNull();
    expect(await runtime.getConversation('web:nadie')).toBeNull();
    expect(delivered).toEqual([]);
    // The conversation starts later: the same change is told there then (nothing was claimed before).
    await runtime.receive(message('nadie', 'hola'));
    const told = await runtime.notifyOrderChange('web:nadie', change(), 'requester');
    expect(told).toMatchObject({ duplicate: false, conversationId: 'web:nadie' });
  });

  it('takes an order.changed turn without an inbound line, and answers a repeat from the first', async () => {
    const store = createMemoryStore();
    const { runtime } = makeRuntime(store);
    await runtime.receive(message('ana-notify', 'hola'));
    const before = await runtime.getConversation('web:ana-notify');
    const transcriptBefore = await runtime.transcript('web:ana-notify');

    const first = await runtime.notifyOrderChange('web:ana-notify', change(), 'technician');
    expect(first).toMatchObject({ duplicate: false, state: before?.state });
    const events = await orderChangedEvents(store, 'web:ana-notify');
    expect(events).toHaveLength(1);
    expect(events[0]?.event).toMatchObject({ type: 'order.changed', relation: 'technician', change: change() });
    const transcript = await runtime.transcript('web:ana-notify');
    // Only what the assistant said (if anything): the change is no message of the user.
    expect(transcript.slice(transcriptBefore.length).every((entry) => entry.direction === 'out')).toBe(true);

    const repeat = await runtime.notifyOrderChange('web:ana-notify', change(), 'technician');
    expect(repeat).toEqual({ ...first, duplicate: true });
    expect(await orderChangedEvents(store, 'web:ana-notify')).toHaveLength(1);
    expect((await runtime.getConversation('web:ana-notify'))?.version).toBe((before?.version ?? 0) + 1);

    // Another change of the same order is news again.
    await runtime.notifyOrderChange('web:ana-notify', change('12:2'), 'technician');
    expect(await orderChangedEvents(store, 'web:ana-notify')).toHaveLength(2);
  });

  it('keeps the conversation where it was: a form in progress goes on', async () => {
    const { runtime } = makeRuntime(createMemoryStore());
    await runtime.receive(message('beto-notify', 'reportar falla'));
    const asking = await runtime.getConversation('web:beto-notify');
    await runtime.notifyOrderChange('web:beto-notify', change(), 'requester');
    expect((await runtime.getConversation('web:beto-notify'))?.state).toBe(asking?.state);
  });

  it('is told once when two processes are asked at the same time', async () => {
    const prefix = stores.newPrefix();
    const one = makeRuntime(stores.open(prefix));
    const two = makeRuntime(stores.open(prefix));
    await one.runtime.receive(message('carmen-notify', 'hola'));
    const saidBefore = one.delivered.length;
    const answers = await Promise.all([
      one.runtime.notifyOrderChange('web:carmen-notify', change(), 'requester'),
      two.runtime.notifyOrderChange('web:carmen-notify', change(), 'requester'),
    ]);
    expect(answers.map((answer) => answer?.duplicate).sort()).toEqual([false, true]);
    const store = stores.open(prefix);
    expect(await orderChangedEvents(store, 'web:carmen-notify')).toHaveLength(1);
    // Whatever the assistant said, it was said by one process only.
    expect(one.delivered.length - saidBefore + two.delivered.length).toBe(
      answers.find((a) => !a?.duplicate)?.replies.length,
    );
  });

  it('takes a change over from an attempt that died holding its claim', async () => {
    const prefix = stores.newPrefix();
    const store = stores.open(prefix);
    const { runtime } = makeRuntime(store, { claimLeaseMs: 300, duplicateWaitMs: 5_000 });
    await runtime.receive(message('dario-notify', 'hola'));
    // A process claimed the change and died: its claim is never renewed nor answered.
    const key = notifyClaimKey('web:dario-notify', '12:1');
    expect((await store.claimMessage('web:dario-notify', key, 300)).state).toBe('claimed');

    const told = await runtime.notifyOrderChange('web:dario-notify', change(), 'requester');
    expect(told?.duplicate).toBe(false);
    expect(await orderChangedEvents(store, 'web:dario-notify')).toHaveLength(1);
  });
});
