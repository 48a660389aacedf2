import { busReady } from '../../events/redis-bus.ts';
import { asUnavailable } from '../../http/unavailable.ts';
import type { GraphqlContext } from '../context.ts';
import { holdStreamSlot } from '../rate-limited.ts';
import { type TopicStream, type TopicStreamOptions, topicStream } from '../topic-stream.ts';

/** What every subscription shares: its bounded queue, its end, and waiting for the bus. */

export type FlowControl = Pick<TopicStreamOptions<unknown>, 'maxQueued' | 'congested' | 'onOverflow' | 'onInterrupted'>;

/** Bounded per-subscription queue; a subscriber whose socket backs up is dropped, never waited for. */
export function flowControl(ctx: GraphqlContext, topic: string): FlowControl {
  const { transport, limits } = ctx;
  return {
    maxQueued: limits.maxQueuedEvents,
    congested: transport ? () => transport.bufferedAmount() > limits.maxBufferedBytes : undefined,
    onOverflow: () => {
      ctx.services.logger.warn({ topic }, 'dropping a subscriber that does not keep up');
      transport?.drop('subscriber too slow');
    },
    // The bus may have lost events while Redis was away: the client reconnects, resubscribes and
    // re-reads the conversation (a stream without a socket, SSE, just ends).
    onInterrupted: () => transport?.restart('event bus reconnected'),
  };
}

export const passThrough = <T>(event: T) => event;

/** The stream, calling `onEnd` once when the subscriber goes away. */
export function withEnd<T>(stream: AsyncIterableIterator<T>, onEnd: () => void): AsyncIterableIterator<T> {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return {
    next: async () => {
      const item = await stream.next();
      if (item.done) end();
      return item;
    },
    return: async (value?: unknown) => {
      end();
      return stream.return ? stream.return(value) : { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Waits until the bus delivers the stream's topic. When it cannot (Redis unreachable), the stream ends,
 * its slot is released and the subscription is refused with UNAVAILABLE (over HTTP a 503 with
 * Retry-After), not answered with a stream that would never carry an event.
 */
export async function untilSubscribed(
  ctx: GraphqlContext,
  stream: AsyncIterableIterator<unknown>,
  release: () => void,
) {
  try {
    await busReady(ctx.services.bus);
  } catch (error) {
    release();
    await stream.return?.();
    throw asUnavailable(error) ?? error;
  }
}

/**
 * A subscription to one bus topic with the usual limits: a stream slot (SSE), the bounded queue and
 * its flow control, live once the bus confirmed the topic, the slot released when it ends. Its events
 * depend only on the bus payload: subscribers with the same operation and principal may share one
 * execution of it (ws-fan-out.ts).
 */
export async function busStream<T>(
  ctx: GraphqlContext,
  topic: string,
  map: (payload: unknown) => T | null,
): Promise<AsyncIterableIterator<T>> {
  // A shared WebSocket execution: the access checks above ran; its events come from the subscribers' streams.
  if (ctx.fanOutSource) return ctx.fanOutSource as AsyncIterableIterator<T>;
  const release = holdStreamSlot(ctx.services.limits, ctx);
  const stream = topicStream({ bus: ctx.services.bus, topic, map, ...flowControl(ctx, topic) });
  await untilSubscribed(ctx, stream, release);
  // Over WebSocket, the server may deliver these events itself (one execution for identical subscribers).
  if (ctx.directDelivery) ctx.directDelivery.stream = stream as TopicStream<unknown>;
  return withEnd(stream, release);
}
