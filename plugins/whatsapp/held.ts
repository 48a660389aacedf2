import { setTimeout as sleep } from 'node:timers/promises';
import type { PluginHost } from '../../core/plugin.ts';
import { splitConversationId } from '../../core/types.ts';
import { WINDOW } from './types.ts';
import type { CustomerWindows, HeldClaim } from './window.ts';

/** Batches one call hands on at most: one held while a batch went out goes in the next. */
const HELD_ROUNDS = 5;
/** How often a call waiting for another delivery's claim looks again. */
const CLAIM_POLL_MS = 100;

/**
 * Delivers the user's held messages, oldest first, through `host.deliver` (the dispatcher keeps them
 * in order before anything dispatched after; it resolves once each is delivered or dead-lettered).
 * They stay stored until all were handed on, so a crash meanwhile loses none (at worst some go twice);
 * one delivery per user at a time (a claim in the channel state), a second call waits for it.
 */
export async function deliverHeld(host: PluginHost, windows: CustomerWindows, conversationId: string): Promise<void> {
  const address = splitConversationId(conversationId).address;
  for (let round = 0; round < HELD_ROUNDS; round++) {
    // Nothing held (the usual case), or the window closed again (they would only be held again).
    if ((await windows.held(address)) === null || (await windows.openedAt(address)) === null) return;
    const claim = await windows.claimHeld(address);
    if (!claim) {
      // Another delivery hands them on (this process or another): the answer to this message waits for it.
      if (await claimEnds(windows, address)) continue;
      host.logger.warn({ conversationId }, 'held WhatsApp messages still claimed by another delivery: left to it');
      return;
    }
    try {
      await handOn(host, windows, conversationId, claim);
    } finally {
      await claim.release();
    }
    // Next round: a message held meanwhile (its own delivery found the claim taken) goes now.
  }
}

/** Hands the held messages on one by one, then removes them (what was held since stays). */
async function handOn(
  host: PluginHost,
  windows: CustomerWindows,
  conversationId: string,
  claim: HeldClaim,
): Promise<void> {
  const address = splitConversationId(conversationId).address;
  const batch = await windows.held(address);
  if (!batch) return;
  // Lists are capped when a message is held; one written before the cap may be longer.
  const delivered = batch.messages.slice(-WINDOW.maxDelivered);
  if (delivered.length < batch.messages.length) {
    host.logger.warn(
      { conversationId, dropped: batch.messages.length - delivered.length, delivered: delivered.length },
      'too many held WhatsApp messages: only the newest are delivered',
    );
  }
  host.logger.info(
    { conversationId, held: delivered.length },
    'the user wrote again: delivering held WhatsApp messages',
  );
  for (const message of delivered) {
    await claim.renew();
    await host.deliver(message);
  }
  await windows.handedOn(address, batch);
}

/** Waits (at most `WINDOW.heldClaimWaitMs`) for the user's claim to be released or to expire; false on timeout. */
async function claimEnds(windows: CustomerWindows, address: string): Promise<boolean> {
  const deadline = Date.now() + WINDOW.heldClaimWaitMs;
  while (await windows.heldClaimed(address)) {
    if (Date.now() >= deadline) return false;
    await sleep(CLAIM_POLL_MS);
  }
  return true;
}
