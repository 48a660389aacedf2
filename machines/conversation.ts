import { assign, type SnapshotFrom } from 'xstate';
import type { WorkflowResultEvent } from '../core/runtime/model.ts';
import { askingWorkOrder } from './conversation/asking-work-order.ts';
import { assigning } from './conversation/assigning.ts';
import { completing } from './conversation/completing.ts';
import { erasing } from './conversation/erasing.ts';
import { handoff } from './conversation/handoff.ts';
import { idle } from './conversation/idle.ts';
import { linking } from './conversation/linking.ts';
import { reporting } from './conversation/reporting.ts';
import { conversationSetup, orderNotice, REPORT_FAILURE, say } from './conversation/setup.ts';
import { unlinking } from './conversation/unlinking.ts';
import { workflow } from './conversation/workflow.ts';
import { renderWorkflowResult, replies } from './replies.ts';

// The machine is assembled here from its states (one file each under conversation/); this module is
// its public face: every type and helper the runtime, the model and the tests import.
export type {
  AgentMessageEvent,
  AgentReleaseEvent,
  ConversationEvent,
  HandoffExpireEvent,
  IdentityLinkedEvent,
  IdentityUnlinkedEvent,
  OrderChangedEvent,
  PendingRun,
  UserMessageEvent,
  WorkflowResultEvent,
  WorkflowTimeoutEvent,
} from '../core/runtime/model.ts';
export { intentOf } from './conversation/setup.ts';
export type {
  ConversationContext,
  ConversationInput,
  ConversationOnlyInput,
  FindEquipmentInput,
  FindTechniciansInput,
  FindWorkOrderInput,
  IssuedLink,
  LinkRequest,
  OrderTask,
  OwnChange,
  ReplyEmitted,
  ReportDraft,
  Resume,
  StartWorkflowInput,
  WorkflowRun,
} from './conversation/types.ts';

/**
 * Bumped whenever a change adds states or context fields an older build does not know: a process of
 * that build refuses such a conversation (503, retried) instead of restarting it during a rolling
 * deploy. Version 2: identities, orders' actions, erasing (`linking`, `completing`, `assigning`,
 * `erasing`; the optional fields `link`, `task`, `asking`, `linkedAnnounced`). Version 1's states and
 * fields are all kept, so its snapshots are still read (`readsVersions` in model.ts): a stored
 * conversation goes on where it was. The notifications' fields (`notificationsOff`, `notified`,
 * `ownChanges`, `linkedUserId`) are optional and need no new version: absent means the defaults
 * (told, no hint given yet, no own change, linked user not known yet), and an older build keeps them
 * as they are (`assign` merges into the context). Neither do the report's slots: `lookupCodes` and a
 * kept message's `understood` are optional, a draft may hold its symptom before its equipment (an
 * older build asks for the rest), and `reporting.nextStep` is passed through, never stored.
 */
export const MACHINE_VERSION = 2;

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
  // Who the chat is linked to, as each message (or link) says: a notification never names the
  // recipient as the technician of their own order.
  always: { guard: 'linkedUserChanged', actions: 'rememberLinkedUser' },
  on: {
    // A failure report that ended after the user stopped waiting (timeout, cancel) still created an
    // order: say so, so nobody reports the same failure twice.
    'workflow.result': {
      guard: 'isLateReport',
      actions: [
        'recordOwnChange',
        say(({ event }) =>
          replies.lateReport(renderWorkflowResult(REPORT_FAILURE, (event as WorkflowResultEvent).result)),
        ),
      ],
    },
    // An order the user requested or works on changed: told wherever the conversation is (a wait or
    // a hand-off goes on as it was; a form's question has its own handler, which asks it again), unless
    // they switched notifications off or this conversation made that very change itself lately.
    'order.changed': orderNotice(),
    // Linked or unlinked on the link page or by an admin, whatever the conversation is doing (a
    // question or a workflow wait stays as it is; a conversation waiting for the link goes on, and a
    // request kept while a question for information is answered goes on once that answer is given).
    // A link already announced or acted on (a message carried it before this turn) is not told twice.
    'identity.linked': [
      { guard: 'linkAnnounced' },
      {
        guard: 'linkParked',
        actions: [
          assign(({ context, event }) => ({ link: { ...context.link!, linked: event.identity, linkedAt: event.at } })),
          say(({ event }) => replies.linked(event.identity, true)),
          'announceLinked',
        ],
      },
      { actions: [say(({ event }) => replies.linked(event.identity, false)), 'announceLinked'] },
    ],
    'identity.unlinked': { actions: say(replies.unlinkedByAdmin) },
  },
  states: { idle, askingWorkOrder, reporting, workflow, handoff, linking, unlinking, completing, assigning, erasing },
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
