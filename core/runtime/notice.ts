import { UnavailableError } from '../errors.ts';
import { topics } from '../events/bus.ts';
import type { StoredConversation } from '../store/types.ts';
import type { OutboundMessage } from '../types.ts';
import type { RuntimeSettings } from './options.ts';
import { outboundEntry, storedEntry } from './prepared-turn.ts';

/**
 * A plain notice from the gateway to a conversation (e.g. "your account was linked to another chat
 * too"): no machine event and no state change. The line is appended to the transcript by the same
 * compare-and-set commit as a turn (the snapshot and the watcher's schedule kept as they were), then
 * published live and handed to the channel. Run it in the conversation's queue. False for an unknown
 * conversation (nothing is sent).
 */
export async function sendNotice(settings: RuntimeSettings, conversationId: string, text: string): Promise<boolean> {
  const { store, now } = settings;
  for (let attempt = 1; attempt <= settings.maxCommitAttempts; attempt++) {
    const stored = await store.load(conversationId);
    if (!stored) return false;
    const at = new Date(now()).toISOString();
    const message: OutboundMessage = { conversationId, text };
    const entry = outboundEntry(message, at);
    const version = await store.commit(conversationId, stored.version, {
      snapshot: stored.snapshot,
      meta: { ...stored.meta, updatedAt: at },
      events: [],
      transcript: [storedEntry(entry)],
      checkAt: checkAtOf(settings, stored),
    });
    if (version === null) continue;
    settings.bus.publish(topics.messages(conversationId), entry);
    await settings.deliver(message);
    settings.logger.info({ conversationId }, 'notice sent');
    return true;
  }
  throw new UnavailableError('busy', 'conversation is too busy, try again', 1_000, { conversationId });
}

/** The watcher's schedule as the last turn left it: the pending run's poll or deadline, the hand-off's expiry. */
function checkAtOf(settings: RuntimeSettings, stored: StoredConversation): number | null {
  const { pending, handoff } = settings.model.waitingOf(stored.snapshot);
  if (pending) return Math.min(pending.deadline, settings.now() + settings.workflowPollIntervalMs);
  if (handoff) return (handoff.activeAt ?? settings.now()) + settings.handoffTimeoutMs;
  return null;
}
