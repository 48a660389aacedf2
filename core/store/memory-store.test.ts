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
