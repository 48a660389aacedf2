import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearPrefix, connectRedis, uniquePrefix } from '../../test/support/redis.ts';
import { type ChannelState, memoryChannelStates, redisChannelStates } from './channel-state.ts';

/** The held-list operations of a channel's state, in memory and in Redis alike. */
let redis: Redis;
const prefix = uniquePrefix('channel-state');
const DAY = 24 * 60 * 60_000;

beforeAll(() => {
  redis = connectRedis();
});
afterAll(async () => {
  await clearPrefix(prefix);
  await redis.quit();
});

let sequence = 0;
const backends: [string, () => ChannelState][] = [
  ['memory', () => memoryChannelStates()('whatsapp')],
  ['redis', () => redisChannelStates(redis, prefix)(`whatsapp-${++sequence}`)],
];

describe.each(backends)('channel state lists (%s)', (_name, stateOf) => {
  it('keeps at most maxLength entries, dropping the oldest, and says how many it dropped', async () => {
    const state = stateOf();
    expect(await state.push('held:1', 'a', DAY, 3)).toEqual({ length: 1, dropped: 0 });
    await state.push('held:1', 'b', DAY, 3);
    expect(await state.push('held:1', 'c', DAY, 3)).toEqual({ length: 3, dropped: 0 });
    expect(await state.push('held:1', 'd', DAY, 3)).toEqual({ length: 3, dropped: 1 });
    expect(await state.peek('held:1')).toEqual(['b', 'c', 'd']);
    // Without a cap the list grows.
    expect(await state.push('held:2', 'x', DAY)).toEqual({ length: 1, dropped: 0 });
  });

  it('reads a list without removing it, then drops only what was read (a push meanwhile stays)', async () => {
    const state = stateOf();
    await state.push('held:1', 'a', DAY);
    await state.push('held:1', 'b', DAY);
    const read = await state.peek('held:1');
    expect(read).toEqual(['a', 'b']);
    // Read again (a crash before the trim): nothing was lost.
    expect(await state.peek('held:1')).toEqual(['a', 'b']);
    await state.push('held:1', 'c', DAY);
    expect(await state.dropThrough('held:1', read.at(-1)!)).toBe(2);
    expect(await state.peek('held:1')).toEqual(['c']);
    expect(await state.dropThrough('held:1', 'c')).toBe(1);
    expect(await state.peek('held:1')).toEqual([]);
  });

  it('never drops a newer entry when the cap pushed read ones out meanwhile', async () => {
    const state = stateOf();
    await state.push('held:1', 'a', DAY, 2);
    await state.push('held:1', 'b', DAY, 2);
    const read = await state.peek('held:1');
    // A newer entry pushes the oldest read one out before the trim: only the other read one goes.
    await state.push('held:1', 'c', DAY, 2);
    expect(await state.dropThrough('held:1', read.at(-1)!)).toBe(1);
    expect(await state.peek('held:1')).toEqual(['c']);
    // Newer entries pushed every read one out: nothing of theirs is dropped.
    const again = await state.peek('held:1');
    await state.push('held:1', 'd', DAY, 1);
    expect(await state.dropThrough('held:1', again.at(-1)!)).toBe(0);
    expect(await state.peek('held:1')).toEqual(['d']);
  });

  it('drops nothing when the list was erased meanwhile', async () => {
    const state = stateOf();
    await state.push('held:1', 'a', DAY);
    await state.delete('held:1');
    expect(await state.dropThrough('held:1', 'a')).toBe(0);
    expect(await state.peek('held:1')).toEqual([]);
  });
});
