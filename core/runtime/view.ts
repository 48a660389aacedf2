import type { StateValue } from 'xstate';
import type { StoredConversation } from '../store/types.ts';
import type { ConversationModel, ConversationSnapshotView, PendingRun } from './model.ts';
import type { ConversationView } from './types.ts';

export function pendingView(pending: PendingRun) {
  return { dagId: pending.dagId, runId: pending.runId, startedAt: pending.startedAt, deadline: pending.deadline };
}

/**
 * The public view of a stored conversation, read from its persisted snapshot. A snapshot this
 * machine cannot read (another machine version) shows as state `unknown`; its next turn restarts it.
 */
export function viewOf(model: ConversationModel, conversationId: string, stored: StoredConversation): ConversationView {
  const persisted = stored.snapshot as Pick<ConversationSnapshotView, 'value' | 'context'>;
  let snapshot: ConversationSnapshotView | null = null;
  try {
    snapshot = model.machine.resolveState({ value: persisted.value as StateValue, context: persisted.context });
  } catch {
    // shown as unknown below
  }
  const pending = snapshot?.context.pending;
  return {
    id: conversationId,
    channel: stored.meta.channel,
    userId: stored.meta.userId,
    ...(stored.meta.userName ? { userName: stored.meta.userName } : {}),
    state: snapshot ? model.stateName(snapshot.value) : 'unknown',
    status: snapshot ? model.statusOf(snapshot) : 'idle',
    version: stored.version,
    machineVersion: stored.meta.machineVersion,
    ...(pending ? { pendingWorkflow: pendingView(pending) } : {}),
    createdAt: stored.meta.createdAt,
    updatedAt: stored.meta.updatedAt,
  };
}
