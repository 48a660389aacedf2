import { describe, expect, it } from 'vitest';
import { createCountingBus } from '../../test/graphql/support/counting-bus.ts';
import { topicStream } from './topic-stream.ts';

const countingBus = createCountingBus;

const asNumber = (payload: unknown) => (typeof payload === 'number' ? payload : null);

describe('topicStream', () => {
  it('yields published events in order, skipping payloads that do not map', async () => {
    const bus = countingBus();
    const stream = topicStream({ bus, topic: 't', map: asNumber, maxQueued: 10 });
    bus.publish('t', 1);
    bus.publish('t', 'not a number');
    bus.publish('other', 9);
    bus.publish('t', 2);
    expect(await stream.next()).toEqual({ value: 1, done: false });
    expect(await stream.next()).toEqual({ value: 2, done: false });
    const third = stream.next();
    bus.publish('t', 3);
    expect(await third).toEqual({ value: 3, done: false });
  });

  it('unsubscribes on return, also while a consumer is waiting', async () => {
    const bus = countingBus();
    const stream = topicStream({ bus, topic: 't', map: asNumber, maxQueued: 10 });
    expect(bus.listeners()).toBe(1);
    const waiting = stream.next();
    await stream.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(bus.listeners()).toBe(0);
  });

  it('drops a consumer whose queue overflows, without ever blocking the publisher', async () => {
    const bus = countingBus();
    let overflows = 0;
    const stream = topicStream({ bus, topic: 't', map: asNumber, maxQueued: 3, onOverflow: () => overflows++ });
    for (let i = 0; i < 10; i++) bus.publish('t', i);
    expect(overflows).toBe(1);
    expect(bus.listeners()).toBe(0);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('drops a consumer whose transport is congested', async () => {
    const bus = countingBus();
    let congested = false;
    let overflows = 0;
    const stream = topicStream({
      bus,
      topic: 't',
      map: asNumber,
      maxQueued: 100,
      congested: () => congested,
      onOverflow: () => overflows++,
    });
    bus.publish('t', 1);
    expect(await stream.next()).toEqual({ value: 1, done: false });
    congested = true;
    bus.publish('t', 2);
    expect(overflows).toBe(1);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('yields the initial event first and skips queued events it makes stale', async () => {
    const bus = countingBus();
    let last = -1;
    let releaseInitial: (value: number) => void = () => {};
    const stream = topicStream({
      bus,
      topic: 't',
      map: asNumber,
      maxQueued: 10,
      initial: () =>
        new Promise<number>((resolve) => {
          releaseInitial = resolve;
        }),
      accept: (version) => {
        if (version <= last) return false;
        last = version;
        return true;
      },
    });
    const first = stream.next();
    bus.publish('t', 4); // published while the current state is being read
    bus.publish('t', 6);
    releaseInitial(5);
    expect(await first).toEqual({ value: 5, done: false });
    expect(await stream.next()).toEqual({ value: 6, done: false });
  });

  it('unsubscribes when the initial event fails, then is done', async () => {
    const bus = countingBus();
    const stream = topicStream({
      bus,
      topic: 't',
      map: asNumber,
      maxQueued: 3,
      initial: () => Promise.reject(new Error('redis is down')),
      onOverflow: () => expect.unreachable('nothing is subscribed any more'),
    });
    await expect(stream.next()).rejects.toThrow('redis is down');
    expect(bus.listeners()).toBe(0);
    for (let i = 0; i < 10; i++) bus.publish('t', i);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('ends after the queued events when the bus reconnects, and tells its consumer', async () => {
    const reconnects = new Set<() => void>();
    const bus = Object.assign(countingBus(), {
      onReconnect(listener: () => void) {
        reconnects.add(listener);
        return () => reconnects.delete(listener);
      },
    });
    let interrupted = 0;
    const stream = topicStream({ bus, topic: 't', map: asNumber, maxQueued: 10, onInterrupted: () => interrupted++ });
    bus.publish('t', 1);
    for (const listener of [...reconnects]) listener();
    expect(interrupted).toBe(1);
    expect(bus.listeners()).toBe(0);
    expect(reconnects.size).toBe(0);
    expect(await stream.next()).toEqual({ value: 1, done: false });
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('hands its events to a redirect (the queued ones first), still bounded and ended like the queue', async () => {
    const bus = countingBus();
    let overflows = 0;
    const stream = topicStream({ bus, topic: 't', map: asNumber, maxQueued: 3, onOverflow: () => overflows++ });
    bus.publish('t', 1);
    const delivered: { event: number; shared: boolean }[] = [];
    let backlog = 0;
    let ended = 0;
    const payload = 2;
    expect(
      stream.redirect({
        deliver: (event, from) => {
          delivered.push({ event, shared: from === payload });
          backlog += 1;
        },
        backlog: () => backlog,
        onEnd: () => ended++,
      }),
    ).toBe(true);
    bus.publish('t', payload);
    expect(delivered).toEqual([
      { event: 1, shared: false },
      { event: 2, shared: true },
    ]);
    // Nothing sent on yet: the backlog reaches the bound and the subscriber is dropped.
    bus.publish('t', 3);
    bus.publish('t', 4);
    expect(overflows).toBe(1);
    expect(ended).toBe(1);
    expect(bus.listeners()).toBe(0);
    expect(delivered.map((d) => d.event)).toEqual([1, 2, 3]);
  });

  it('refuses a redirect when it has an initial event to yield first, or has ended', async () => {
    const bus = countingBus();
    const target = { deliver: () => {}, backlog: () => 0, onEnd: () => {} };
    const withInitial = topicStream({ bus, topic: 't', map: asNumber, maxQueued: 3, initial: async () => 0 });
    expect(withInitial.redirect(target)).toBe(false);
    const ended = topicStream({ bus, topic: 't', map: asNumber, maxQueued: 3 });
    await ended.return!();
    expect(ended.redirect(target)).toBe(false);
  });
});
