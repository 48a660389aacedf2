import { redactLinkCodes } from '../identity/redact.ts';
import type { CommitChanges, ConversationMeta, StoredConversation } from '../store/types.ts';
import type { OutboundMessage } from '../types.ts';
import type { PendingRun, Reply } from './model.ts';
import type { RuntimeSettings } from './options.ts';
import type { TransitionOutcome } from './transition.ts';
import type { TurnRequest } from './turn-request.ts';
import type { TranscriptEntry, TurnResult } from './types.ts';

/** A transition ready to commit: what is written, and what is answered once it is. */
export interface PreparedTurn {
  changes: CommitChanges;
  outbound: OutboundMessage[];
  /**
   * The turn's transcript lines as they were said, for the live subscribers (bus): the stored ones
   * (`changes.transcript`) have their link codes redacted.
   */
  live: TranscriptEntry[];
  result: TurnResult;
  pending: PendingRun | null;
  /** The new snapshot has the tag `forget`: the conversation is to be erased once the replies are out. */
  forget: boolean;
}

/** The commit of a transition: snapshot, meta, event log entry, transcript, watcher schedule, answer. */
export function prepareTurn(
  settings: RuntimeSettings,
  request: TurnRequest,
  stored: StoredConversation | null,
  outcome: TransitionOutcome,
): PreparedTurn {
  const { conversationId, event, hold } = request;
  const { model, now } = settings;
  const at = new Date(now()).toISOString();
  const outbound = outcome.replies.map((reply) => outboundMessage(conversationId, reply));
  const forget = outcome.snapshot.hasTag('forget');
  const meta = metaOf(settings, request, stored, outcome, at, forget);
  const pending = outcome.snapshot.context.pending;
  const result: TurnResult = {
    conversationId,
    replies: outbound,
    state: outcome.state,
    status: model.statusOf(outcome.snapshot),
    duplicate: false,
  };
  const live = [...(request.inbound ? [request.inbound] : []), ...outbound.map((m) => outboundEntry(m, at))];
  const changes: CommitChanges = {
    snapshot: outcome.persisted,
    meta,
    events: [
      {
        at,
        event: event as unknown as Record<string, unknown>,
        stateBefore: outcome.stateBefore,
        stateAfter: outcome.state,
        version: (stored?.version ?? 0) + 1,
        channel: meta.channel,
        machineVersion: model.version,
        ...(outcome.invocations.length ? { invocations: outcome.invocations } : {}),
      },
    ],
    // A one-time link code logs whoever holds it in as the user: the stored transcript (read back by
    // admins, the REST API, a reloaded web chat) keeps its place only; the user got it live.
    transcript: live.map(storedEntry),
    checkAt: nextCheck(settings, outcome),
    ...(hold ? { dedup: { ...hold, result, ttlMs: settings.dedupTtlMs } } : {}),
  };
  return { changes, outbound, live, result, pending, forget };
}

function metaOf(
  settings: RuntimeSettings,
  { participant }: TurnRequest,
  stored: StoredConversation | null,
  outcome: TransitionOutcome,
  at: string,
  forget: boolean,
): ConversationMeta {
  const userName = participant?.userName ?? stored?.meta.userName;
  return {
    channel: stored?.meta.channel ?? participant!.channel,
    userId: stored?.meta.userId ?? participant!.userId,
    ...(userName ? { userName } : {}),
    machineVersion: settings.model.version,
    createdAt: outcome.restarted || !stored ? at : stored.meta.createdAt,
    updatedAt: at,
    ...(forget ? { erasing: true } : {}),
  };
}

/** A reply as the channel gets it: its text and buttons, and what it is (kind, template, agent). */
export const outboundMessage = (conversationId: string, reply: Reply): OutboundMessage => ({
  conversationId,
  text: reply.text,
  ...(reply.buttons?.length ? { buttons: reply.buttons } : {}),
  ...(reply.kind ? { kind: reply.kind } : {}),
  ...(reply.template ? { template: reply.template } : {}),
  ...(reply.agent ? { agent: reply.agent } : {}),
});

/** A transcript line as stored: its link codes redacted (`/link/[enlace]`). */
export function storedEntry(entry: TranscriptEntry): TranscriptEntry {
  const text = redactLinkCodes(entry.text);
  return text === entry.text ? entry : { ...entry, text };
}

export const outboundEntry = (message: OutboundMessage, at: string): TranscriptEntry => ({
  conversationId: message.conversationId,
  direction: 'out',
  text: message.text,
  ...(message.buttons ? { buttons: message.buttons } : {}),
  ...(message.kind ? { kind: message.kind } : {}),
  ...(message.agent ? { agent: message.agent } : {}),
  at,
});

/** When the watcher looks at the conversation: its run's poll or deadline, its hand-off's expiry, or never. */
function nextCheck({ now, workflowPollIntervalMs, handoffTimeoutMs }: RuntimeSettings, outcome: TransitionOutcome) {
  const { snapshot } = outcome;
  const pending = snapshot.context.pending;
  if (pending) return Math.min(pending.deadline, now() + workflowPollIntervalMs);
  if (snapshot.hasTag('handoff')) return (snapshot.context.handoffActiveAt ?? now()) + handoffTimeoutMs;
  return null;
}
