import { describe, expect, it } from 'vitest';
import { storeContract } from '../../test/support/store-contract.ts';
import { createMemoryStore } from './memory-store.ts';
import { createReplyTexts } from './reply-texts.ts';

storeContract('MemoryStore', async () => createMemoryStore());

describe('MemoryStore keeps its own copy', () => {
  const meta = { channel: 'web', userId: 'u', machineVersion: 1, createdAt: '', updatedAt: '' };
  const line = (text: string) => ({
    conversationId: 'web:u',
    direction: 'out' as const,
    text,
    buttons: [{ id: 'a', title: 'A' }],
    at: '',
  });
  const event = (n: number) => ({
    at: '',
    event: { type: 'user.message', text: `m${n}` },
    stateBefore: null,
    stateAfter: 'idle',
    version: n,
  });

  it('is not changed through the objects a caller committed, nor through what it read back', async () => {
    const store = createMemoryStore();
    const claim = await store.claimMessage('web:u', 'in:5:web:u:m1', 5_000);
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const committed = {
      snapshot: { value: 'idle', context: { draft: { equipment: 'CAT-001' } } },
      meta: { ...meta },
      events: [event(1)],
      transcript: [line('hola')],
      checkAt: null,
      dedup: { key: 'in:5:web:u:m1', token: claim.token, result: { replies: [{ text: 'hola' }] }, ttlMs: 60_000 },
    };
    await store.commit('web:u', 0, committed);
    committed.snapshot.context.draft.equipment = 'cambiado';
    committed.meta.userId = 'otro';
    committed.events[0]!.event['text'] = 'cambiado';
    committed.transcript[0]!.buttons[0]!.title = 'cambiado';
    committed.dedup.result.replies[0]!.text = 'cambiado';

    const loaded = await store.load('web:u');
    (loaded!.snapshot as typeof committed.snapshot).context.draft.equipment = 'otra vez';
    loaded!.meta.userId = 'otra vez';
    (await store.readEvents('web:u'))[0]!.event['text'] = 'otra vez';
    (await store.readTranscript('web:u'))[0]!.buttons![0]!.title = 'otra vez';
    const answered = await store.claimMessage('web:u', 'in:5:web:u:m1', 5_000);
    if (answered.state !== 'done') throw new Error('not answered');
    (answered.result as typeof committed.dedup.result).replies[0]!.text = 'otra vez';

    expect(await store.load('web:u')).toEqual({
      version: 1,
      snapshot: { value: 'idle', context: { draft: { equipment: 'CAT-001' } } },
      meta,
    });
    expect((await store.readEvents('web:u'))[0]?.event).toEqual({ type: 'user.message', text: 'm1' });
    expect((await store.readTranscript('web:u'))[0]?.buttons).toEqual([{ id: 'a', title: 'A' }]);
    expect(await store.claimMessage('web:u', 'in:5:web:u:m1', 5_000)).toEqual({
      state: 'done',
      result: { replies: [{ text: 'hola' }] },
    });
    await store.close();
  });

  it('leaves what load returned as it was when the conversation changes later', async () => {
    const store = createMemoryStore();
    await store.commit('web:u', 0, {
      snapshot: { n: 1 },
      meta,
      events: [event(1)],
      transcript: [line('uno')],
      checkAt: null,
    });
    const first = await store.load('web:u');
    const transcript = await store.readTranscript('web:u');
    await store.commit('web:u', 1, {
      snapshot: { n: 2 },
      meta,
      events: [event(2)],
      transcript: [line('dos')],
      checkAt: null,
    });
    expect(first).toEqual({ version: 1, snapshot: { n: 1 }, meta });
    expect(transcript.map((t) => t.text)).toEqual(['uno']);
    expect((await store.load('web:u'))?.snapshot).toEqual({ n: 2 });
    await store.close();
  });

  it('writes nothing when a value cannot be stored as JSON (as Redis would refuse it)', async () => {
    const store = createMemoryStore();
    const changes = { snapshot: { big: 1n }, meta, events: [event(1)], transcript: [line('uno')], checkAt: null };
    await expect(store.commit('web:u', 0, changes)).rejects.toThrow(TypeError);
    expect(await store.load('web:u')).toBeNull();
    expect(await store.readTranscript('web:u')).toEqual([]);
    expect((await store.listConversations(0, 10)).total).toBe(0);
    await store.close();
  });
});

describe('MemoryStore answers kept whole for less than their id (dedup.lasting)', () => {
  const meta = { channel: 'web', userId: 'u', machineVersion: 1, createdAt: '', updatedAt: '' };
  const answered = async (store: ReturnType<typeof createMemoryStore>, key: string, afterMs: number) => {
    const claim = await store.claimMessage('web:u', key, 5_000);
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const result = { replies: [{ text: 'hola' }], state: 'idle' };
    const dedup = { key, token: claim.token, result, ttlMs: 60_000, lasting: { result: { state: 'idle' }, afterMs } };
    const version = (await store.load('web:u'))?.version ?? 0;
    await store.commit('web:u', version, { snapshot: {}, meta, events: [], transcript: [], checkAt: null, dedup });
  };

  it('answers with the whole answer first, then with its lasting part only', async () => {
    const store = createMemoryStore();
    await answered(store, 'in:5:web:u:m1', 30);
    const whole = { state: 'done', result: { replies: [{ text: 'hola' }], state: 'idle' } };
    expect(await store.claimMessage('web:u', 'in:5:web:u:m1', 5_000)).toEqual(whole);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await store.claimMessage('web:u', 'in:5:web:u:m1', 5_000)).toEqual({
      state: 'done',
      result: { state: 'idle' },
    });

    // The sweep lets go of the whole answers whose time is over, read or not.
    await answered(store, 'in:5:web:u:m2', 1_000);
    store.sweep(Date.now() + 2_000);
    expect(await store.claimMessage('web:u', 'in:5:web:u:m2', 5_000)).toEqual({
      state: 'done',
      result: { state: 'idle' },
    });

    // Kept whole for as long as the id: the whole answer all along.
    await answered(store, 'in:5:web:u:m3', 60_000);
    store.sweep(Date.now() + 59_000);
    expect(await store.claimMessage('web:u', 'in:5:web:u:m3', 5_000)).toEqual(whole);
    await store.close();
  });

  it('answers with the replies all along when they are fixed texts (kept by reference with the state)', async () => {
    const store = createMemoryStore({ transcriptLimit: 200, eventLimit: 1000, replyTexts: createReplyTexts(['hola']) });
    const claim = await store.claimMessage('web:u', 'in:5:web:u:m1', 5_000);
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const result = { replies: [{ text: 'hola' }], state: 'idle', status: 'idle' };
    const lasting = { result: ['idle', 'idle'], afterMs: 30 };
    const dedup = { key: 'in:5:web:u:m1', token: claim.token, result, ttlMs: 60_000, lasting };
    await store.commit('web:u', 0, { snapshot: {}, meta, events: [], transcript: [], checkAt: null, dedup });
    store.sweep(Date.now() + 59_000);
    expect(await store.claimMessage('web:u', 'in:5:web:u:m1', 5_000)).toEqual({ state: 'done', result });
    await store.close();
  });
});

describe('MemoryStore sweep', () => {
  it('forgets idle conversations and answered message ids as Redis would expire them', async () => {
    const store = createMemoryStore({ transcriptLimit: 10, eventLimit: 10, conversationTtlMs: 1_000 });
    const meta = { channel: 'web', userId: 'u', machineVersion: 1, createdAt: '', updatedAt: '' };
    const claim = await store.claimMessage('web:old', 'web:old:m1', 5_000);
    if (claim.state !== 'claimed') throw new Error('not claimed');
    const dedup = { key: 'web:old:m1', token: claim.token, result: { ok: true }, ttlMs: 10 };
    await store.commit('web:old', 0, { snapshot: {}, meta, events: [], transcript: [], checkAt: null, dedup });
    store.sweep(Date.now() + 2_000);
    expect(await store.load('web:old')).toBeNull();
    expect((await store.listConversations(0, 10)).total).toBe(0);
    expect(await store.claimMessage('web:old', 'web:old:m1', 5_000)).toMatchObject({ state: 'claimed' });
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

  it('keeps conversations within maxConversationBytes as they grow, forgetting the least recently used', async () => {
    const store = createMemoryStore({ transcriptLimit: 200, eventLimit: 10, maxConversationBytes: 100_000 });
    const long = 'x'.repeat(1_000);
    for (let i = 0; i < 10; i++) await store.commit(`web:u${i}`, 0, changes(long));
    expect(store.size.conversations).toBe(10);
    // One conversation grows turn by turn (about 2 KB of transcript each), counted again each time.
    for (let turn = 1; turn <= 40; turn++) await store.commit('web:u0', turn, changes(`${long} ${turn}`));
    expect((await store.load('web:u0'))?.version).toBe(41);
    expect((await store.readTranscript('web:u0')).length).toBe(41);
    expect(store.size.conversations).toBeLessThan(10);
    expect(await store.load('web:u1')).toBeNull();
    expect(await store.load('web:u9')).not.toBeNull();
    await store.close();
  });

  it('keeps remembered answers within maxMessageIdBytes', async () => {
    const store = createMemoryStore({ transcriptLimit: 10, eventLimit: 10, maxMessageIdBytes: 100_000 });
    for (let i = 0; i < 200; i++) {
      const key = `in:6:web:u${i}:m1`;
      const claim = await store.claimMessage(`web:u${i}`, key, 60_000);
      if (claim.state !== 'claimed') throw new Error('not claimed');
      const result = { replies: [{ text: 'y'.repeat(2_000) }] };
      await store.commit(`web:u${i}`, 0, {
        ...changes('hola'),
        dedup: { key, token: claim.token, result, ttlMs: 60_000 },
      });
    }
    expect(store.size.messageIds).toBeLessThan(50);
    // The newest answer is still given to a redelivery; the oldest was forgotten.
    expect(await store.claimMessage('web:u199', 'in:6:web:u199:m1', 60_000)).toMatchObject({ state: 'done' });
    expect(await store.claimMessage('web:u0', 'in:6:web:u0:m1', 60_000)).toMatchObject({ state: 'claimed' });
    await store.close();
  });

  it('remembers at most maxMessageIds message ids', async () => {
    const store = createMemoryStore({ transcriptLimit: 10, eventLimit: 10, maxMessageIds: 1_000 });
    for (let i = 0; i < 20_000; i++) await store.claimMessage('web:u1', `in:6:web:u1:m${i}`, 60_000);
    expect(store.size.messageIds).toBe(1_000);
    expect(await store.claimMessage('web:u1', 'in:6:web:u1:m19999', 60_000)).toEqual({ state: 'pending' });
    expect(await store.claimMessage('web:u1', 'in:6:web:u1:m0', 60_000)).toMatchObject({ state: 'claimed' });
    await store.close();
  });
});
