import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClaimLostError,
  type CommitChanges,
  type ConversationMeta,
  type ConversationStore,
} from '../../core/store/types.ts';

const meta: ConversationMeta = {
  channel: 'web',
  userId: 'u1',
  machineVersion: 1,
  createdAt: '2026-11-25T00:00:00.000Z',
  updatedAt: '2026-11-25T00:00:00.000Z',
};

function changes(overrides: Partial<CommitChanges> = {}): CommitChanges {
  return { snapshot: { value: 'idle' }, meta, events: [], transcript: [], checkAt: null, ...overrides };
}

/** The behaviour every `ConversationStore` must have; run against the memory and the Redis store. */
export function storeContract(name: string, make: () => Promise<ConversationStore>) {
  describe(`${name}: ConversationStore contract`, () => {
    let store: ConversationStore;
    beforeEach(async () => {
      store = await make();
    });
    afterEach(async () => {
      await store.close();
    });

    it('loads nothing for an unknown conversation', async () => {
      expect(await store.load('web:nobody')).toBeNull();
    });

    it('saves with compare-and-set on the version', async () => {
      expect(await store.commit('web:a', 0, changes({ snapshot: { n: 1 } }))).toBe(1);
      expect(await store.commit('web:a', 0, changes({ snapshot: { n: 99 } }))).toBeNull();
      expect(await store.commit('web:a', 1, changes({ snapshot: { n: 2 } }))).toBe(2);
      const loaded = await store.load('web:a');
      expect(loaded).toEqual({ version: 2, snapshot: { n: 2 }, meta });
    });

    it('appends the event log and the transcript with the commit, and not on a conflict', async () => {
      const entry = (text: string) => ({ conversationId: 'web:b', direction: 'in' as const, text, at: 'now' });
      const event = (n: number) => ({
        at: 'now',
        event: { type: 'user.message', n },
        stateBefore: null,
        stateAfter: 'idle',
        version: n,
      });
      await store.commit('web:b', 0, changes({ events: [event(1)], transcript: [entry('uno'), entry('dos')] }));
      await store.commit('web:b', 0, changes({ events: [event(9)], transcript: [entry('perdido')] }));
      await store.commit('web:b', 1, changes({ events: [event(2)], transcript: [entry('tres')] }));
      expect((await store.readTranscript('web:b')).map((t) => t.text)).toEqual(['uno', 'dos', 'tres']);
      expect((await store.readTranscript('web:b', 2)).map((t) => t.text)).toEqual(['dos', 'tres']);
      expect((await store.readEvents('web:b')).map((e) => e.version)).toEqual([1, 2]);
      await store.appendEvent('web:b', event(3));
      expect((await store.readEvents('web:b', 1))[0]?.version).toBe(3);
    });

    const claimed = { state: 'claimed', token: expect.any(String) };
    const tokenOf = async (conversationId: string, key: string, leaseMs = 5_000) => {
      const claim = await store.claimMessage(conversationId, key, leaseMs);
      if (claim.state !== 'claimed') throw new Error(`${key} was not claimed: ${claim.state}`);
      return claim.token;
    };

    it('claims a message id once and returns the stored answer afterwards', async () => {
      const token = await tokenOf('web:f', 'web:m1');
      expect(await store.claimMessage('web:f', 'web:m1', 5_000)).toEqual({ state: 'pending' });
      await store.commit(
        'web:f',
        0,
        changes({ dedup: { key: 'web:m1', token, result: { replies: ['hola'] }, ttlMs: 60_000 } }),
      );
      expect(await store.claimMessage('web:f', 'web:m1', 5_000)).toEqual({
        state: 'done',
        result: { replies: ['hola'] },
      });
    });

    it('keeps the whole answer for less than the id when asked, then its lasting part; never answered twice', async () => {
      const token = await tokenOf('web:l', 'web:l1');
      const whole = { replies: ['hola'], state: 'idle' };
      const lasting = { result: ['idle'], afterMs: 50 };
      await store.commit(
        'web:l',
        0,
        changes({ dedup: { key: 'web:l1', token, result: whole, ttlMs: 60_000, lasting } }),
      );
      expect(await store.claimMessage('web:l', 'web:l1', 5_000)).toEqual({ state: 'done', result: whole });
      const again = changes({ dedup: { key: 'web:l1', token, result: { again: true }, ttlMs: 60_000 } });
      await expect(store.commit('web:l', 1, again)).rejects.toBeInstanceOf(ClaimLostError);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await store.claimMessage('web:l', 'web:l1', 5_000)).toEqual({ state: 'done', result: ['idle'] });
      expect(await store.renewMessage('web:l', 'web:l1', token, 5_000)).toBe(false);
      expect(await store.load('web:l')).toMatchObject({ version: 1 });
    });

    it('forgets an answered id after its time, and claims it again', async () => {
      const token = await tokenOf('web:l', 'web:l2');
      await store.commit('web:l', 0, changes({ dedup: { key: 'web:l2', token, result: { ok: 1 }, ttlMs: 30 } }));
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(await store.claimMessage('web:l', 'web:l2', 5_000)).toEqual(claimed);
    });

    it('releases a claim only for its holder', async () => {
      const token = await tokenOf('web:f', 'web:m4');
      await store.releaseMessage('web:f', 'web:m4', 'someone-else');
      expect(await store.claimMessage('web:f', 'web:m4', 5_000)).toEqual({ state: 'pending' });
      await store.releaseMessage('web:f', 'web:m4', token);
      expect(await store.claimMessage('web:f', 'web:m4', 5_000)).toEqual(claimed);
    });

    it('completes a claimed message id with the commit that answers it, and not on a conflict', async () => {
      const token = await tokenOf('web:d', 'web:m3');
      await store.commit('web:d', 0, changes());
      await store.commit(
        'web:d',
        0,
        changes({ dedup: { key: 'web:m3', token, result: { lost: true }, ttlMs: 60_000 } }),
      );
      expect(await store.claimMessage('web:d', 'web:m3', 5_000)).toEqual({ state: 'pending' });
      await store.commit(
        'web:d',
        1,
        changes({ dedup: { key: 'web:m3', token, result: { replies: ['ok'] }, ttlMs: 60_000 } }),
      );
      expect(await store.claimMessage('web:d', 'web:m3', 5_000)).toEqual({
        state: 'done',
        result: { replies: ['ok'] },
      });
    });

    it('refuses the commit of a holder whose claim expired and was taken over, writing nothing', async () => {
      const stale = await tokenOf('web:e', 'web:m5', 30);
      await new Promise((resolve) => setTimeout(resolve, 60));
      const fresh = await tokenOf('web:e', 'web:m5');
      const late = changes({
        snapshot: { late: true },
        dedup: { key: 'web:m5', token: stale, result: { late: true }, ttlMs: 60_000 },
      });
      await expect(store.commit('web:e', 0, late)).rejects.toBeInstanceOf(ClaimLostError);
      expect(await store.load('web:e')).toBeNull();
      const mine = changes({ dedup: { key: 'web:m5', token: fresh, result: { replies: ['uno'] }, ttlMs: 60_000 } });
      expect(await store.commit('web:e', 0, mine)).toBe(1);
      expect(await store.claimMessage('web:e', 'web:m5', 5_000)).toEqual({
        state: 'done',
        result: { replies: ['uno'] },
      });
    });

    // Short leases below only ever expire (waits longer than the lease); what must stay held gets seconds.
    it('renews a claim for its holder only, and never once released', async () => {
      const token = await tokenOf('web:f', 'web:m6', 10_000);
      expect(await store.renewMessage('web:f', 'web:m6', 'someone-else', 10_000)).toBe(false);
      expect(await store.renewMessage('web:f', 'web:m6', token, 10_000)).toBe(true);
      expect(await store.claimMessage('web:f', 'web:m6', 10_000)).toEqual({ state: 'pending' });
      await store.releaseMessage('web:f', 'web:m6', token);
      expect(await store.renewMessage('web:f', 'web:m6', token, 10_000)).toBe(false);
      const next = await tokenOf('web:f', 'web:m6', 10_000);
      expect(await store.renewMessage('web:f', 'web:m6', token, 10_000)).toBe(false);
      await store.releaseMessage('web:f', 'web:m6', token);
      expect(await store.claimMessage('web:f', 'web:m6', 10_000)).toEqual({ state: 'pending' });
      expect(await store.renewMessage('web:f', 'web:m6', next, 10_000)).toBe(true);
    });

    it('lets a late renewal keep a claim that expired while nobody took it', async () => {
      const token = await tokenOf('web:h', 'web:m9', 30);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(await store.renewMessage('web:h', 'web:m9', token, 10_000)).toBe(true);
      expect(await store.claimMessage('web:h', 'web:m9', 10_000)).toEqual({ state: 'pending' });
      const answer = { key: 'web:m9', token, result: { replies: ['tarde'] }, ttlMs: 60_000 };
      expect(await store.commit('web:h', 0, changes({ dedup: answer }))).toBe(1);
      expect(await store.claimMessage('web:h', 'web:m9', 10_000)).toEqual({
        state: 'done',
        result: { replies: ['tarde'] },
      });
    });

    it('lets a late holder commit its answer when the redelivery that took its claim over released it', async () => {
      const late = await tokenOf('web:i', 'web:m10', 30);
      await new Promise((resolve) => setTimeout(resolve, 60));
      const failed = await tokenOf('web:i', 'web:m10');
      await store.releaseMessage('web:i', 'web:m10', failed);
      const answer = { key: 'web:m10', token: late, result: { replies: ['listo'] }, ttlMs: 60_000 };
      expect(await store.commit('web:i', 0, changes({ dedup: answer }))).toBe(1);
      expect(await store.claimMessage('web:i', 'web:m10', 5_000)).toEqual({
        state: 'done',
        result: { replies: ['listo'] },
      });
    });

    it('renews nothing once the claim is answered, or expired and taken over', async () => {
      const token = await tokenOf('web:g', 'web:m7');
      await store.commit('web:g', 0, changes({ dedup: { key: 'web:m7', token, result: { ok: 1 }, ttlMs: 60_000 } }));
      expect(await store.renewMessage('web:g', 'web:m7', token, 5_000)).toBe(false);
      expect(await store.claimMessage('web:g', 'web:m7', 5_000)).toEqual({ state: 'done', result: { ok: 1 } });
      const short = await tokenOf('web:g', 'web:m8', 30);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await tokenOf('web:g', 'web:m8');
      expect(await store.renewMessage('web:g', 'web:m8', short, 5_000)).toBe(false);
      expect(await store.claimMessage('web:g', 'web:m8', 5_000)).toEqual({ state: 'pending' });
    });

    it('keeps conversations whose ids extend each other apart (ids with ":")', async () => {
      const entry = (id: string, text: string) => ({ conversationId: id, direction: 'in' as const, text, at: 'now' });
      const ids = ['web:v', 'web:v:events', 'web:v:transcript', 'web:v:x:events'];
      for (const id of ids) {
        expect(await store.commit(id, 0, changes({ snapshot: { id }, transcript: [entry(id, `soy ${id}`)] }))).toBe(1);
      }
      expect(await store.commit('web:v', 1, changes({ snapshot: { id: 'web:v', n: 2 } }))).toBe(2);
      for (const id of ids) {
        expect((await store.load(id))?.snapshot).toMatchObject({ id });
        expect((await store.readTranscript(id)).map((t) => t.text)).toEqual([`soy ${id}`]);
      }
    });

    it('lets an expired claim be claimed again', async () => {
      expect(await store.claimMessage('web:f', 'web:m2', 30)).toEqual(claimed);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(await store.claimMessage('web:f', 'web:m2', 30)).toEqual(claimed);
    });

    it('hands out due watcher checks once per lease', async () => {
      const now = Date.now();
      await store.commit('web:c1', 0, changes({ checkAt: now - 10 }));
      await store.commit('web:c2', 0, changes({ checkAt: now + 60_000 }));
      await store.commit('web:c3', 0, changes({ checkAt: now - 5 }));
      expect((await store.claimDueChecks(now, 1_000, 10)).sort()).toEqual(['web:c1', 'web:c3']);
      expect(await store.claimDueChecks(now, 1_000, 10)).toEqual([]);
      expect((await store.claimDueChecks(now + 1_000, 1_000, 10)).sort()).toEqual(['web:c1', 'web:c3']);
      await store.commit('web:c1', 1, changes({ checkAt: null }));
      expect(await store.claimDueChecks(now + 5_000, 1_000, 10)).toEqual(['web:c3']);
      await store.clearCheck('web:c3');
      expect(await store.claimDueChecks(now + 10_000, 1_000, 10)).toEqual([]);
    });

    it('lists conversations most recent first', async () => {
      await store.commit('web:x', 0, changes());
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.commit('web:y', 0, changes());
      const page = await store.listConversations(0, 10);
      expect(page.total).toBe(2);
      expect(page.ids).toEqual(['web:y', 'web:x']);
      expect((await store.listConversations(1, 10)).ids).toEqual(['web:x']);
    });

    it('hands out many due checks in bounded batches, each once', async () => {
      const now = Date.now();
      const ids = Array.from({ length: 30 }, (_, i) => `web:due${i}`);
      for (const id of ids) await store.commit(id, 0, changes({ checkAt: now - 1 }));
      const seen: string[] = [];
      for (let round = 0; round < 10; round++) {
        const batch = await store.claimDueChecks(now, 60_000, 7);
        expect(batch.length).toBeLessThanOrEqual(7);
        seen.push(...batch);
      }
      expect(seen.sort()).toEqual([...ids].sort());
    });

    it('pages through many conversations most recent first', async () => {
      const ids = Array.from({ length: 12 }, (_, i) => `web:page${i}`);
      for (const id of ids) {
        await store.commit(id, 0, changes());
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const pages = await Promise.all([0, 5, 10].map((offset) => store.listConversations(offset, 5)));
      expect(pages.map((page) => page.total)).toEqual([12, 12, 12]);
      expect(pages.flatMap((page) => page.ids)).toEqual([...ids].reverse());
    });

    it('keeps whatever an id holds (braces, accents, 4 KB) through claim, commit, reads and erase', async () => {
      const ids = ['web:}x', 'web:{a}', '}', '{', 'web:ñ', `web:${'x'.repeat(4096)}`];
      for (const id of ids) {
        const key = `in:${id.length}:${id}:m1`;
        const token = await tokenOf(id, key);
        const dedup = { key, token, result: { replies: [id] }, ttlMs: 60_000 };
        const transcript = [{ conversationId: id, direction: 'in' as const, text: id, at: 'now' }];
        expect(await store.commit(id, 0, changes({ transcript, checkAt: 1, dedup }))).toBe(1);
        expect(await store.claimMessage(id, key, 5_000)).toEqual({ state: 'done', result: { replies: [id] } });
        await store.appendEvent(id, { at: 'now', event: {}, stateBefore: null, stateAfter: 'idle', version: 1 });
        expect((await store.readTranscript(id)).map((t) => t.text)).toEqual([id]);
        expect(await store.readEvents(id)).toHaveLength(1);
      }
      expect((await store.listConversations(0, 10)).ids.sort()).toEqual([...ids].sort());
      expect((await store.claimDueChecks(Date.now(), 1_000, 10)).sort()).toEqual([...ids].sort());
      for (const id of ids) {
        await store.erase(id);
        expect(await store.load(id)).toBeNull();
        expect(await store.claimMessage(id, `in:${id.length}:${id}:m1`, 5_000)).toEqual(claimed);
      }
      expect((await store.listConversations(0, 10)).total).toBe(0);
    });

    it('erases a conversation for good, and only that one', async () => {
      const entry = (id: string, text: string) => ({ conversationId: id, direction: 'in' as const, text, at: 'now' });
      const event = { at: 'now', event: { type: 'user.message' }, stateBefore: null, stateAfter: 'idle', version: 1 };
      const ids = ['web:z', 'web:z:events', 'web:zz'];
      const answers: Record<string, string> = {};
      for (const id of ids) {
        const key = `in:${id.length}:${id}:m1`;
        const token = await tokenOf(id, key);
        const dedup = { key, token, result: { replies: [`hola ${id}`] }, ttlMs: 60_000 };
        await store.commit(id, 0, changes({ events: [event], transcript: [entry(id, id)], checkAt: 1, dedup }));
        answers[id] = key;
      }
      const live = `in:5:web:z:m2`;
      await tokenOf('web:z', live);

      await store.erase('web:z');
      expect(await store.load('web:z')).toBeNull();
      expect(await store.readTranscript('web:z')).toEqual([]);
      expect(await store.readEvents('web:z')).toEqual([]);
      expect(await store.claimDueChecks(Date.now(), 1_000, 10)).not.toContain('web:z');
      expect((await store.listConversations(0, 10)).ids).not.toContain('web:z');
      // Its answered message id is processed again; a claim still held stays held.
      expect(await store.claimMessage('web:z', answers['web:z']!, 5_000)).toEqual(claimed);
      expect(await store.claimMessage('web:z', live, 5_000)).toEqual({ state: 'pending' });
      // Conversations whose ids extend it keep everything.
      for (const id of ['web:z:events', 'web:zz']) {
        expect(await store.load(id)).toMatchObject({ version: 1 });
        expect((await store.readTranscript(id)).map((t) => t.text)).toEqual([id]);
        expect(await store.readEvents(id)).toHaveLength(1);
        expect(await store.claimMessage(id, answers[id]!, 5_000)).toMatchObject({ state: 'done' });
      }
      expect((await store.listConversations(0, 10)).ids.sort()).toEqual(['web:z:events', 'web:zz']);

      // Its next message starts afresh, at version 1.
      expect(await store.commit('web:z', 0, changes({ transcript: [entry('web:z', 'otra vez')] }))).toBe(1);
      expect((await store.readTranscript('web:z')).map((t) => t.text)).toEqual(['otra vez']);
      await store.erase('web:nobody'); // nothing to erase: no error
    });

    it('keeps the answers it is asked to keep when erasing (the confirming message’s own)', async () => {
      const kept = 'in:5:web:k:yes';
      const other = 'in:5:web:k:m1';
      await store.commit(
        'web:k',
        0,
        changes({
          dedup: { key: other, token: await tokenOf('web:k', other), result: { replies: ['hola'] }, ttlMs: 60_000 },
        }),
      );
      const dedup = { key: kept, token: await tokenOf('web:k', kept), result: { replies: ['borré'] }, ttlMs: 60_000 };
      await store.commit('web:k', 1, changes({ dedup }));

      await store.erase('web:k', [kept]);
      expect(await store.load('web:k')).toBeNull();
      expect(await store.claimMessage('web:k', kept, 5_000)).toEqual({ state: 'done', result: { replies: ['borré'] } });
      expect(await store.claimMessage('web:k', other, 5_000)).toEqual(claimed);
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
