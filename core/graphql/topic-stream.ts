import type { EventBus } from '../events/bus.ts';
import { onBusReconnect } from '../events/redis-bus.ts';
import { graphqlSubscriptions, topicKind } from '../metrics/registry.ts';

export interface TopicStreamOptions<T> {
  bus: EventBus;
  topic: string;
  /** Shapes a bus payload into an event; null skips it. */
  map: (payload: unknown) => T | null;
  /** Events waiting to be consumed before the stream gives up on its consumer. */
  maxQueued: number;
  /** True when the consumer's transport is backed up (e.g. a socket's unsent bytes over a limit). */
  congested?: () => boolean;
  /** Called once when the stream ends because its consumer could not keep up. */
  onOverflow?: () => void;
  /** An event to yield before the bus events (e.g. the current state). */
  initial?: () => Promise<T | null>;
  /** Checked when an event is about to be yielded (after `initial`): false skips it (e.g. stale). */
  accept?: (event: T) => boolean;
  /**
   * Called once when the stream ends because the bus may have lost events (its connection to Redis
   * was re-established): the consumer should resubscribe and re-read what it missed.
   */
  onInterrupted?: () => void;
}

/** Where a redirected stream's events go instead of its queue (see `TopicStream.redirect`). */
export interface DirectDelivery<T> {
  /** One event, with the bus payload it came from (the same object for every listener of one publish). */
  deliver(event: T, payload: unknown): void;
  /** Events delivered and not yet sent on: counted against `maxQueued` like the queue. */
  backlog(): number;
  /** Called once when the stream ends (return, overflow, bus reconnect). */
  onEnd(): void;
}

export interface TopicStream<T> extends AsyncIterableIterator<T> {
  /**
   * From now on, hands the events (first those already queued) to `direct` instead of yielding them;
   * the bounds (`maxQueued` on the backlog, `congested`) still apply. False, and nothing changes, for a
   * stream with an `initial` event or an `accept` check, or one that has ended.
   */
  redirect(direct: DirectDelivery<T>): boolean;
}

/**
 * A bus topic as an async iterator with a bounded queue. The bus listener only pushes (O(1), never
 * awaits), so a slow consumer never holds up the publisher; when the queue is full or the transport
 * is congested, the stream unsubscribes, calls `onOverflow` and ends. `return()` unsubscribes; so
 * does a failing `initial` (its error is thrown once, then the stream is done) and a reconnect of the
 * bus (`onInterrupted`, then the stream ends after the events already queued).
 */
export function topicStream<T>(options: TopicStreamOptions<T>): TopicStream<T> {
  const queue: T[] = [];
  let ended = false;
  let direct: DirectDelivery<T> | null = null;
  let wake: (() => void) | null = null;
  let initial = options.initial;
  const accept = options.accept ?? (() => true);
  graphqlSubscriptions.inc({ topic: topicKind(options.topic) });

  const end = () => {
    if (ended) return;
    ended = true;
    graphqlSubscriptions.dec({ topic: topicKind(options.topic) });
    unsubscribe();
    offReconnect();
    wake?.();
    direct?.onEnd();
  };

  const unsubscribe = options.bus.subscribe(options.topic, (payload) => {
    if (ended) return;
    const event = options.map(payload);
    if (event === null) return;
    const backlog = direct ? direct.backlog() : queue.length;
    if (backlog >= options.maxQueued || options.congested?.()) {
      queue.length = 0;
      end();
      options.onOverflow?.();
      return;
    }
    if (direct) direct.deliver(event, payload);
    else {
      queue.push(event);
      wake?.();
    }
  });
  const offReconnect = onBusReconnect(options.bus, () => {
    if (ended) return;
    end();
    options.onInterrupted?.();
  });

  const iterator: TopicStream<T> = {
    redirect(to) {
      if (ended || direct || initial || options.accept) return false;
      direct = to;
      // Each queued event is its own delivery (no payload shared with other listeners).
      for (const event of queue.splice(0)) to.deliver(event, event);
      return true;
    },
    async next(): Promise<IteratorResult<T>> {
      if (initial) {
        const load = initial;
        initial = undefined;
        let first: T | null;
        try {
          first = await load();
        } catch (error) {
          // Neither graphql-js nor graphql-ws calls return() after a rejected next(): end here.
          queue.length = 0;
          end();
          throw error;
        }
        if (first !== null && !ended && accept(first)) return { value: first, done: false };
      }
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift()!;
          if (accept(event)) return { value: event, done: false };
        }
        if (ended) return { value: undefined, done: true };
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    },
    async return(): Promise<IteratorResult<T>> {
      queue.length = 0;
      end();
      return { value: undefined, done: true };
    },
    async throw(error: unknown): Promise<IteratorResult<T>> {
      queue.length = 0;
      end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
