import { describe, expect, it } from 'vitest';
import { connectRedis } from '../../test/support/redis.ts';
import { makeRuntime, message, redisStores } from '../../test/support/runtime-harness.ts';
import { casConflicts } from '../metrics/registry.ts';
import { messageKey } from './message-once.ts';
import { createReadAheads } from './read-ahead.ts';

const stores = redisStores('read-ahead');

describe('reads made while a message id is claimed', () => {
  it('are used when no turn of the conversation came in between', async () => {
    const aheads = createReadAheads();
    const ahead = aheads.start('web:a', async () => 'read early');
    expect(await ahead.take()).toBe('read early');
  });

  it('are read again when a turn of the conversation was running or queued meanwhile', async () => {
    const aheads = createReadAheads();
    let finish!: () => void;
    const running = aheads.around('web:a', () => new Promise<void>((resolve) => (finish = resolve)));
    const duringTurn = aheads.start('web:a', async () => 'during');
    const beforeTurn = aheads.start('web:b', async () => 'before');
    const queued = aheads.around('web:b', async () => undefined);
    expect(await duringTurn.take()).toBeUndefined();
    expect(await beforeTurn.take()).toBeUndefined();
    finish();
    await Promise.all([running, queued]);
    // Once taken or dropped, never used again (a turn retried after a takeover reads afresh).
    const once = aheads.start('web:a', async () => 'once');
    expect(await once.take()).toBe('once');
    expect(await once.take()).toBeUndefined();
  });

  it('are read again when they failed', async () => {
    const aheads = createReadAheads();
    expect(await aheads.start('web:a', () => Promise.reject(new Error('down'))).take()).toBeUndefined();
  });

  it('never make a turn work on what an earlier turn of this process changed', async () => {
    const { runtime } = makeRuntime(stores.open());
    const conflicts = (await casConflicts.get()).values[0]?.value ?? 0;
    // Sent together: the second is claimed (and read ahead) while the first still runs.
    const [first, second] = await Promise.all([
      runtime.receive(message('ines-ahead', 'reportar falla')),
      runtime.receive(message('ines-ahead', 'CAT-001')),
    ]);
    expect(first.state).not.toBe(second.state);
    expect((await runtime.getConversation('web:ines-ahead'))?.version).toBe(2);
    expect((await casConflicts.get()).values[0]?.value ?? 0).toBe(conflicts);
  });

  it('are read again by a redelivery that waited for another process’s claim', async () => {
    const prefix = stores.newPrefix();
    const lease = { claimLeaseMs: 5_000 };
    const one = makeRuntime(stores.open(prefix), lease);
    const other = makeRuntime(stores.open(prefix), lease);
    await one.runtime.receive(message('olga-ahead', 'hola'));
    // A process claimed m2 and died; the redelivery to the other process reads ahead, then waits.
    const key = messageKey('in', 'web:olga-ahead', 'm2');
    const held = await stores.open(prefix).claimMessage('web:olga-ahead', key, 5_000);
    expect(held.state).toBe('claimed');
    const conflicts = (await casConflicts.get()).values[0]?.value ?? 0;
    const redelivered = other.runtime.receive(message('olga-ahead', 'reportar falla', { id: 'm2' }));
    // Meanwhile the user's next message is taken by the first process; then the dead claim expires.
    await one.runtime.receive(message('olga-ahead', 'hola'));
    const redis = connectRedis();
    await redis.del(`${prefix}msg:${key}`);
    await redis.quit();
    expect((await redelivered).duplicate).toBe(false);
    expect((await one.runtime.getConversation('web:olga-ahead'))?.version).toBe(3);
    expect((await casConflicts.get()).values[0]?.value ?? 0).toBe(conflicts);
  });
});
