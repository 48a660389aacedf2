import { waitFor } from 'xstate';
import { ConflictError, OmnibotError, UnavailableError } from '../errors.ts';
import type { Invocation, StoredConversation } from '../store/types.ts';
import type { ConversationEvent, ConversationSnapshotView, Reply, ReplyEmitted } from './model.ts';
import type { TurnSettings } from './options.ts';
import { type ConversationActor, restoreActor } from './restore.ts';

/** What one event did to a conversation, before it is committed. */
export interface TransitionOutcome {
  replies: Reply[];
  /** What the invoked actors answered during the event. */
  invocations: Invocation[];
  /** The stored conversation could not be continued: this one started afresh. */
  restarted: boolean;
  snapshot: ConversationSnapshotView;
  /** The snapshot to store. */
  persisted: unknown;
  /** Null for a fresh (or restarted) conversation. */
  stateBefore: string | null;
  state: string;
}

/** Restores the conversation's actor, sends it the event, waits for the work it invoked, and stops it. */
export async function transition(
  settings: TurnSettings,
  conversationId: string,
  stored: StoredConversation | null,
  event: ConversationEvent,
): Promise<TransitionOutcome> {
  const { model, machine } = settings;
  // A fresh conversation's epoch is its first event's time: a replay of the log derives the same run ids.
  const input = { conversationId, workflowTimeoutMs: settings.workflowTimeoutMs, now: event.at };
  const { actor, restarted } = restoreActor(settings, machine, stored, input);
  const replies: Reply[] = restarted && event.type === 'user.message' ? [model.conversationRestarted()] : [];
  actor.on('reply', (emitted: ReplyEmitted) => replies.push(emitted.reply));
  const before = snapshotOf(actor);
  refuseUnexpected(actor, before, conversationId, event);
  const invocations = settings.invocations.begin(conversationId);
  try {
    const after = await sendAndSettle(actor, conversationId, event, settings.busyTimeoutMs);
    return {
      replies,
      invocations,
      restarted,
      snapshot: after,
      persisted: actor.getPersistedSnapshot(),
      stateBefore: stored && !restarted ? model.stateName(before.value) : null,
      state: model.stateName(after.value),
    };
  } finally {
    settings.invocations.end(conversationId);
    actor.stop();
  }
}

/** Events that need a state the conversation is not in: a stale workflow run, an agent without hand-off. */
function refuseUnexpected(
  actor: ConversationActor,
  before: ConversationSnapshotView,
  conversationId: string,
  event: ConversationEvent,
): void {
  if ((event.type === 'workflow.result' || event.type === 'workflow.timeout') && !before.can(event)) {
    actor.stop();
    throw new ConflictError('no workflow run of that id is pending in this conversation', {
      conversationId,
      runId: event.runId,
    });
  }
  if ((event.type.startsWith('agent.') || event.type === 'handoff.expire') && !before.hasTag('handoff')) {
    actor.stop();
    throw new ConflictError('conversation is not handed off to a person', { conversationId });
  }
}

/**
 * Sends the event; when it invoked an actor (workflow start, lookup), waits until that is done, at
 * most `busyTimeoutMs`: past it the turn is refused with 503 and Retry-After (the sender retries).
 */
async function sendAndSettle(
  actor: ConversationActor,
  conversationId: string,
  event: ConversationEvent,
  busyTimeoutMs: number,
): Promise<ConversationSnapshotView> {
  actor.send(event);
  const sent = snapshotOf(actor);
  if (sent.status === 'error') {
    throw new OmnibotError('machine_error', `the conversation machine failed on ${event.type}`, 500, {
      conversationId,
    });
  }
  // Most turns invoke nothing: only wait when an invoked actor is running.
  if (!sent.hasTag('busy')) return sent;
  const outOfTime = AbortSignal.timeout(busyTimeoutMs);
  try {
    const settled = await waitFor(actor, (s) => !(s as ConversationSnapshotView).hasTag('busy'), {
      timeout: Number.POSITIVE_INFINITY,
      signal: outOfTime,
    });
    return settled as ConversationSnapshotView;
  } catch (error) {
    if (!outOfTime.aborted) throw error;
    throw new UnavailableError('busy', 'the conversation is still busy with its last request, try again', 2_000, {
      conversationId,
      waitedMs: busyTimeoutMs,
    });
  }
}

const snapshotOf = (actor: ConversationActor) => actor.getSnapshot() as ConversationSnapshotView;
