import { describe, expect, it } from 'vitest';
import { storeContract } from '../../test/support/store-contract.ts';
import { createMemoryStore } from './memory-store.ts';

storeContract('MemoryStore', async () => createMemoryStore());

describe('MemoryStore sweep', () => {
  it('forgets idle conversations and answered message ids as Redis would expire them', async () => {
    const store = createMemoryStore({ transcriptLimit: 10, eventLimit: 10, conversationTtlMs: 1_000 });
    const meta = { channel: 'web', userId: 'u', machineVersion: 1, createdAt: '', updatedAt: '' };
    const claim = await store.claimMessage('web:old:m1', 5_000);
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const dedup = { key: 'web:old:m1', token: claim.token, result: { ok: true }, ttlMs: 10 };
    await store.commit('web:old', 0, { snapshot: {}, meta, events: [], transcript: [], checkAt: null, dedup });
    store.sweep(Date.now() + 2_000);
    expect(await store.load('web:old')).toBeNull();
    expect((await store.listConversations(0, 10)).total).toBe(0);
    expect(await store.claimMessage('web:old:m1', 5_000)).toMatchObject({ state: 'claimed' });
    await store.close();
  });
});

describe('MemoryStore caps', () => {
  const meta = { channel: 'web', userId: 'u', machineVersion: 1, createdAt: '', updatedAt: '' };
  const changes = (text: string) => ({
    snapshot: { text },
    meta,
    events: [],
    transcript: [{ conversationId: 'x', direction: 'in' as const, text, at: '' }],
    checkAt: Date.now() + 60_000,
  });

  it('keeps at most maxConversations, forgetting the least recently used one', async () => {
    const store = createMemoryStore({ transcriptLimit: 10, eventLimit: 10, maxConversations: 100 });
    for (let i = 0; i < 100; i++) await store.commit(`web:u${i}`, 0, changes(`hola ${i}`));
    await store.load('web:u0'); // used again: u1 is now the least recently used
    for (let i = 100; i < 1_000; i++) await store.commit(`web:u${i}`, 0, changes(`hola ${i}`));
    expect(store.size.conversations).toBe(100);
    expect((await store.listConversations(0, 1_000)).total).toBe(100);
    expect(await store.load('web:u1')).toBeNull();
    expect(await store.readTranscript('web:u1')).toEqual([]);
    expect((await store.load('web:u999'))?.snapshot).toEqual({ text: 'hola 999' });
    // Forgotten conversations leave nothing for the watcher.
    expect((await store.claimDueChecks(Date.now() + 120_000, 1_000, 10_000)).length).toBe(100);
    await store.close();
  });

  it('remembers at most maxMessageIds message ids', async () => {
    const store = createMemoryStore({ transcriptLimit: 10, eventLimit: 10, maxMessageIds: 1_000 });
    for (let i = 0; i < 20_000; i++) await store.claimMessage(`in:6:web:u1:m${i}`, 60_000);
    expect(store.size.messageIds).toBe(1_000);
    expect(await store.claimMessage('in:6:web:u1:m19999', 60_000)).toEqual({ state: 'pending' });
    expect(await store.claimMessage('in:6:web:u1:m0', 60_000)).toMatchObject({ state: 'claimed' });
    await store.close();
  });
});
