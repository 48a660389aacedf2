import type { SnapshotFrom } from 'xstate';
import type { WorkflowResultEvent } from '../core/runtime/model.ts';
import { askingWorkOrder } from './conversation/asking-work-order.ts';
import { handoff } from './conversation/handoff.ts';
import { idle } from './conversation/idle.ts';
import { reporting } from './conversation/reporting.ts';
import { conversationSetup, REPORT_FAILURE, say } from './conversation/setup.ts';
import { workflow } from './conversation/workflow.ts';
import { renderWorkflowResult, replies } from './replies.ts';

// The machine is assembled here from its states (one file each under conversation/); this module is
// its public face: every type and helper the runtime, the model and the tests import.
export type {
  AgentMessageEvent,
  AgentReleaseEvent,
  ConversationEvent,
  HandoffExpireEvent,
  PendingRun,
  UserMessageEvent,
  WorkflowResultEvent,
  WorkflowTimeoutEvent,
} from '../core/runtime/model.ts';
export { intentOf } from './conversation/setup.ts';
export type {
  ConversationContext,
  ConversationInput,
  FindEquipmentInput,
  ReplyEmitted,
  ReportDraft,
  StartWorkflowInput,
  WorkflowRun,
} from './conversation/types.ts';

/** Bumped whenever a change makes older snapshots unsafe to restore (see the runtime's migration). */
export const MACHINE_VERSION = 1;

export const conversationMachine = conversationSetup.createMachine({
  id: 'conversation',
  context: ({ input }) => ({
    conversationId: input.conversationId,
    workflowTimeoutMs: input.workflowTimeoutMs,
    epoch: input.now,
    turn: 0,
    pending: null,
    draft: {},
    candidates: [],
    lookupQuery: '',
  }),
  initial: 'idle',
  on: {
    // A failure report that ended after the user stopped waiting (timeout, cancel) still created an
    // order: say so, so nobody reports the same failure twice.
    'workflow.result': {
      guard: 'isLateReport',
      actions: say(({ event }) =>
        replies.lateReport(renderWorkflowResult(REPORT_FAILURE, (event as WorkflowResultEvent).result)),
      ),
    },
  },
  states: { idle, askingWorkOrder, reporting, workflow, handoff },
});

export type ConversationMachine = typeof conversationMachine;
export type ConversationSnapshot = SnapshotFrom<ConversationMachine>;

export type ConversationStatusValue = 'idle' | 'awaiting_input' | 'processing' | 'handoff';

export function statusOf(snapshot: ConversationSnapshot): ConversationStatusValue {
  if (snapshot.hasTag('processing')) return 'processing';
  if (snapshot.hasTag('handoff')) return 'handoff';
  if (snapshot.hasTag('awaiting_input')) return 'awaiting_input';
  return 'idle';
}

/** `reporting.description`-style name of a state value. */
export function stateName(value: ConversationSnapshot['value'] | unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, child] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    return key ? `${key}.${stateName(child)}` : '';
  }
  return '';
}
