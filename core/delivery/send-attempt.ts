import type { Logger } from '../log.ts';
import { deliveries } from '../metrics/registry.ts';
import { backoffDelay } from '../retry.ts';
import { splitConversationId } from '../types.ts';
import { classifyFailure, describeFailure } from './classify.ts';
import type { DeadLetterWriter } from './dead-letter-writer.ts';
import type { Item } from './delivery-item.ts';
import type { Lane } from './lanes.ts';
import { type createChannelPacing, paceLane } from './pacing.ts';
import type { ChannelRegistry, RetryPolicy, SendOptions, SendResult } from './types.ts';
import type { CancellableWaits } from './waits.ts';

/**
 * How one attempt ended: delivered, done with without a delivery (dead-lettered, or held by the
 * channel: no delivery mark), or to be tried again after a wait.
 */
export type Outcome = { kind: 'delivered' } | { kind: 'done' } | { kind: 'retry'; delayMs: number };

export interface SendAttemptDeps {
  registry: ChannelRegistry;
  pacerOf: ReturnType<typeof createChannelPacing>;
  pacingWaits: CancellableWaits;
  letters: DeadLetterWriter;
  retry: RetryPolicy;
  /** Jitter source in [0, 1). */
  random: () => number;
  logger: Logger;
}

/** One attempt at the lane's head: route → pace → send; a failure is dead-lettered or scheduled for a retry. */
export async function attemptSend(item: Item, lane: Lane, deps: SendAttemptDeps): Promise<Outcome> {
  const { conversationId } = item.message;
  const { channel: name } = splitConversationId(conversationId);
  const channel = deps.registry.get(name);
  if (!channel) {
    await deps.letters.deadLetter(item, { code: 'no_plugin', reason: `no channel plugin "${name}"`, retryable: false });
    return { kind: 'done' };
  }
  const pacer = deps.pacerOf(name, channel);
  const pace = () => paceLane(pacer, lane, deps.pacingWaits);
  await pace();
  item.attempts += 1;
  const options: SendOptions = {
    fromPart: item.partsSent,
    onPartSent: (partsSent) => {
      item.partsSent = partsSent;
    },
    // One pacing token per API call: the first was taken above.
    beforePart: pace,
    deadLetter: (failure) => deps.letters.lateFailure(item.message, item.order, failure),
  };
  let sent: SendResult;
  try {
    sent = await channel.send(item.message, options);
  } catch (error) {
    deliveries.inc({ channel: name, outcome: 'failed' });
    return afterFailure(item, error, deps);
  }
  if (sent?.held) {
    // Kept by the channel for later (or dropped as stale): not failed, not delivered either.
    deliveries.inc({ channel: name, outcome: 'held' });
    deps.logger.debug({ conversationId, deliveryId: item.id }, 'outbound message held by its channel');
    return { kind: 'done' };
  }
  deliveries.inc({ channel: name, outcome: 'delivered' });
  deps.logger.debug({ conversationId, deliveryId: item.id, attempts: item.attempts }, 'outbound message delivered');
  return { kind: 'delivered' };
}

/** A permanent failure, or the last attempt, is dead-lettered; anything else waits (a rate limit's own delay, or backoff). */
async function afterFailure(item: Item, error: unknown, deps: SendAttemptDeps): Promise<Outcome> {
  const failure = classifyFailure(error);
  const described = describeFailure(error);
  if (failure.kind === 'permanent') {
    await deps.letters.deadLetter(item, { ...described, retryable: false });
    return { kind: 'done' };
  }
  if (item.attempts >= deps.retry.maxAttempts) {
    await deps.letters.deadLetter(item, { ...described, retryable: true });
    return { kind: 'done' };
  }
  const backoff = {
    baseMs: deps.retry.baseDelayMs,
    maxMs: deps.retry.maxDelayMs,
    jitter: 'equal',
    random: deps.random,
  } as const;
  const delayMs = failure.kind === 'rate_limited' ? failure.retryAfterMs : backoffDelay(item.attempts, backoff);
  deps.logger.warn(
    {
      conversationId: item.message.conversationId,
      deliveryId: item.id,
      attempts: item.attempts,
      delayMs,
      ...described,
    },
    failure.kind === 'rate_limited' ? 'channel rate limit: retrying after its delay' : 'send failed: retrying',
  );
  return { kind: 'retry', delayMs };
}
