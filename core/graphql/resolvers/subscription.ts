import { topics } from '../../events/bus.ts';
import { busReady } from '../../events/redis-bus.ts';
import { asUnavailable } from '../../http/unavailable.ts';
import type { InspectionRecord } from '../../inspect/records.ts';
import { assertAdmin, assertCanRead } from '../auth.ts';
import type { GraphqlContext } from '../context.ts';
import { graphqlError } from '../errors.ts';
import { messageFromEvent, stateFromEvent, stateFromView } from '../mappers.ts';
import { holdStreamSlot } from '../rate-limited.ts';
import { type TopicStreamOptions, topicStream } from '../topic-stream.ts';

type FlowControl = Pick<TopicStreamOptions<unknown>, 'maxQueued' | 'congested' | 'onOverflow' | 'onInterrupted'>;

/** Bounded per-subscription queue; a subscriber whose socket backs up is dropped, never waited for. */
function flowControl(ctx: GraphqlContext, topic: string): FlowControl {
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

const passThrough = <T>(event: T) => event;

/** The stream, calling `onEnd` once when the subscriber goes away. */
function withEnd<T>(stream: AsyncIterableIterator<T>, onEnd: () => void): AsyncIterableIterator<T> {
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
async function untilSubscribed(ctx: GraphqlContext, stream: AsyncIterableIterator<unknown>, release: () => void) {
  try {
    await busReady(ctx.services.bus);
  } catch (error) {
    release();
    await stream.return?.();
    throw asUnavailable(error) ?? error;
  }
}

const asJson = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export const Subscription = {
  inspect: {
    async subscribe(_root: unknown, args: { conversationId: string }, ctx: GraphqlContext) {
      assertAdmin(ctx.principal, Boolean(ctx.services.config.adminToken));
      const hub = ctx.services.inspection;
      if (!hub) throw new Error('inspection is not available in this process');
      const topic = topics.inspect(args.conversationId);
      const stream = topicStream({
        bus: ctx.services.bus,
        topic,
        map: (payload) => {
          const record = payload as InspectionRecord;
          return { ...record, event: asJson(record.event), context: asJson(record.context) };
        },
        ...flowControl(ctx, topic),
      });
      await untilSubscribed(ctx, stream, () => {});
      return withEnd(stream, hub.watch(args.conversationId));
    },
    resolve: passThrough,
  },

  messages: {
    async subscribe(_root: unknown, args: { conversationId: string }, ctx: GraphqlContext) {
      assertCanRead(ctx.principal, args.conversationId);
      const release = holdStreamSlot(ctx.services.limits, ctx);
      const topic = topics.messages(args.conversationId);
      const stream = topicStream({
        bus: ctx.services.bus,
        topic,
        map: (payload) => messageFromEvent(args.conversationId, payload),
        ...flowControl(ctx, topic),
      });
      await untilSubscribed(ctx, stream, release);
      return withEnd(stream, release);
    },
    resolve: passThrough,
  },

  conversationState: {
    async subscribe(_root: unknown, args: { conversationId: string }, ctx: GraphqlContext) {
      assertCanRead(ctx.principal, args.conversationId);
      const release = holdStreamSlot(ctx.services.limits, ctx);
      const topic = topics.state(args.conversationId);
      let lastVersion = -1;
      let current: ReturnType<typeof stateFromView> | null = null;
      const stream = topicStream({
        bus: ctx.services.bus,
        topic,
        map: (payload) => stateFromEvent(args.conversationId, payload),
        initial: async () => current,
        // Events older than the state already sent (queued while it was read) are skipped.
        accept: (event) => {
          if (event.version <= lastVersion) return false;
          lastVersion = event.version;
          return true;
        },
        ...flowControl(ctx, topic),
      });
      // Once the bus has confirmed this and every earlier subscription, the current state goes first.
      // It is read here, not in the stream: a failure ends the stream and reaches the client as a clean error.
      await untilSubscribed(ctx, stream, release);
      try {
        current = stateFromView(args.conversationId, await ctx.services.runtime.getConversation(args.conversationId));
      } catch (error) {
        release();
        await stream.return?.();
        const unavailable = asUnavailable(error);
        if (unavailable) throw unavailable;
        ctx.services.logger.error(
          { err: error, conversationId: args.conversationId },
          'could not read the conversation for a state subscription',
        );
        throw graphqlError('INTERNAL_SERVER_ERROR', 'the conversation could not be read; subscribe again later');
      }
      return withEnd(stream, release);
    },
    resolve: passThrough,
  },
};
