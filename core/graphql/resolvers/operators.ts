import { topics } from '../../events/bus.ts';
import { readTimeline } from '../../inspect/timeline.ts';
import { assertAdmin } from '../auth.ts';
import type { GraphqlContext } from '../context.ts';
import { badInput } from '../errors.ts';
import { handoffFromEvent, timelineFromEvent } from '../operator-mappers.ts';
import { busStream, passThrough } from './streams.ts';

/** The operator console's fields (admin only): hand-offs of every conversation, a conversation's timeline. */

/** At most this many timeline entries per query (the store keeps the last 1000 events of a conversation). */
export const MAX_TIMELINE = 1000;

const admin = (ctx: GraphqlContext) => assertAdmin(ctx.principal, Boolean(ctx.services.config.adminToken));

export const OperatorQuery = {
  async timeline(_root: unknown, args: { conversationId: string; last: number }, ctx: GraphqlContext) {
    admin(ctx);
    if (!Number.isInteger(args.last) || args.last < 1 || args.last > MAX_TIMELINE) {
      throw badInput(`last must be between 1 and ${MAX_TIMELINE}`, 'last');
    }
    return readTimeline(ctx.services.store, args.conversationId, args.last);
  },
};

export const OperatorSubscription = {
  handoffs: {
    async subscribe(_root: unknown, _args: unknown, ctx: GraphqlContext) {
      admin(ctx);
      return busStream(ctx, topics.handoffs, handoffFromEvent);
    },
    resolve: passThrough,
  },

  timeline: {
    async subscribe(_root: unknown, args: { conversationId: string }, ctx: GraphqlContext) {
      admin(ctx);
      return busStream(ctx, topics.timeline(args.conversationId), (payload) =>
        timelineFromEvent(args.conversationId, payload),
      );
    },
    resolve: passThrough,
  },
};
