import { topics } from '../../events/bus.ts';
import { asUnavailable } from '../../http/unavailable.ts';
import type { InspectionRecord } from '../../inspect/records.ts';
import { assertAdmin, assertCanRead } from '../auth.ts';
import type { GraphqlContext } from '../context.ts';
import { graphqlError } from '../errors.ts';
import { messageFromEvent, stateFromEvent, stateFromView } from '../mappers.ts';
import { holdStreamSlot } from '../rate-limited.ts';
import { topicStream } from '../topic-stream.ts';
import { busStream, flowControl, passThrough, untilSubscribed, withEnd } from './streams.ts';

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
      return busStream(ctx, topics.messages(args.conversationId), (payload) =>
        messageFromEvent(args.conversationId, payload),
      );
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
