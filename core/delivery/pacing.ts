import type { Lane } from './lanes.ts';
import { ChannelPacer } from './rate-limit.ts';
import type { ChannelLimits, DeliveryChannel } from './types.ts';
import type { CancellableWaits } from './waits.ts';

/**
 * Each channel's pacer, made on first use from its budget: `limits[channel]` when given (tests, an
 * operator's override; `{}` is unpaced), else the channel's own `capabilities.pacing`; none: unpaced.
 */
export function createChannelPacing(limits: Record<string, ChannelLimits> = {}) {
  const pacers = new Map<string, ChannelPacer | null>();
  return function pacerOf(name: string, channel: DeliveryChannel): ChannelPacer | null {
    let pacer = pacers.get(name);
    if (pacer === undefined) {
      const budget = (Object.hasOwn(limits, name) ? limits[name] : undefined) ?? channel.capabilities.pacing;
      pacer = budget ? new ChannelPacer(budget, Date.now()) : null;
      pacers.set(name, pacer);
    }
    return pacer;
  };
}

/**
 * Takes one pacing token for the lane's head, waiting for it when the channel's budget is spent.
 * Pacing waits are short: the lane is held meanwhile, and on close they are flushed, not dead-lettered.
 */
export async function paceLane(pacer: ChannelPacer | null, lane: Lane, waits: CancellableWaits): Promise<void> {
  const wait = pacer?.reserve(lane.conversationId, Date.now()) ?? 0;
  if (wait <= 0) return;
  lane.hold();
  await waits.wait(wait);
  lane.release();
}
