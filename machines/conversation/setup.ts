import { assign, type EventObject, emit, fromPromise, raise, setup } from 'xstate';
import type { ConversationEvent, Reply } from '../../core/runtime/model.ts';
import type { EquipmentSummary } from '../../core/workflows/results.ts';
import type { DagId } from '../../workflows/catalog.ts';
import type { CmmsUserSummary, WorkOrderSummary } from '../../workflows/cmms.ts';
import { workflowRunId } from '../../workflows/run-id.ts';
import {
  detectIntent,
  findWorkOrderNumber,
  type Intent,
  type IntentMatch,
  normalize,
  parseConfirmation,
  parseMinutes,
  parsePriority,
} from '../intents.ts';
import { DESCRIPTION_MIN_LENGTH, OBSERVATIONS_MIN_LENGTH, replies } from '../replies.ts';
import { linkNeeded, mayDo } from '../roles.ts';
import { identityOf, policyOf, resumedMessage, withIdentity } from './identity.ts';
import type {
  ConversationContext,
  ConversationInput,
  ConversationOnlyInput,
  FindEquipmentInput,
  FindTechniciansInput,
  FindWorkOrderInput,
  IssuedLink,
  ReplyEmitted,
  StartWorkflowInput,
} from './types.ts';

/** The workflow whose late result is still told (an order was created all the same). */
export const REPORT_FAILURE: DagId = 'reportar_falla';

const notProvided = (name: string) => async (): Promise<never> => {
  throw new Error(`actor "${name}" must be provided by the runtime`);
};

const intents = new WeakMap<ConversationEvent, IntentMatch>();

/** The intent of a user message: a pressed `intent:<name>` button, or the text's keywords (once per event). */
export function intentOf(event: ConversationEvent): IntentMatch {
  if (event.type !== 'user.message') return { intent: 'unknown' };
  let match = intents.get(event);
  if (!match) {
    match = event.action?.startsWith('intent:')
      ? { intent: event.action.slice('intent:'.length) as Intent }
      : detectIntent(event.action ?? event.text ?? '');
    intents.set(event, match);
  }
  return match;
}

/** The `isIntent` guard for one intent. */
export const is = (intent: Intent) => ({ type: 'isIntent', params: { intent } }) as const;

/** What the user wrote or pressed ('' for any other event). */
export const userText = (event: ConversationEvent) =>
  event.type === 'user.message' ? (event.action ?? event.text ?? '') : '';

/** The `reply` action with its text made from context and event. */
export const say = <E extends EventObject = EventObject>(
  make: (args: { context: ConversationContext; event: E }) => Reply,
) => ({ type: 'reply', params: make }) as const;

/** Intents that leave an unfinished question for another topic. */
export const TOPIC_CHANGES: Intent[] = [
  'greeting',
  'help',
  'report_failure',
  'list_equipment',
  'pending_work_orders',
  'handoff',
  'link',
  'unlink',
  'my_orders',
  'my_assigned_orders',
  'unassigned_orders',
  'start_order',
  'complete_order',
  'assign_order',
  'erase_data',
];

/**
 * What every question accepts besides its answer: cancel, a person, a main-menu button (a new
 * topic), and an out-of-date button (one from an earlier question), which is refused politely.
 */
export const interruptions = (expected: string | null, cancelled: () => Reply = replies.cancelled) =>
  [
    { guard: is('cancel'), target: '#conversation.idle', actions: say(cancelled) },
    { guard: is('handoff'), target: '#conversation.handoff' },
    { guard: 'isMenuButton', target: '#conversation.idle', actions: 'handleAgainInIdle' },
    { guard: { type: 'isForeignButton', params: { expected } }, actions: say(replies.staleButton) },
  ] as const;

/** The context change that starts a workflow run: the next turn, and the run it waits for. */
export function beginWorkflow(
  context: ConversationContext,
  event: { at: number },
  dagId: DagId,
  params: Record<string, unknown>,
): Partial<ConversationContext> {
  const turn = context.turn + 1;
  return {
    turn,
    pending: {
      dagId,
      runId: workflowRunId(context.conversationId, `${context.epoch.toString(36)}-${turn}`),
      params,
      startedAt: event.at,
      deadline: event.at + context.workflowTimeoutMs,
    },
  };
}

/** The conversation's types, actors (provided by the runtime), actions, guards and delays. */
export const conversationSetup = setup({
  types: {
    context: {} as ConversationContext,
    events: {} as ConversationEvent,
    input: {} as ConversationInput,
    emitted: {} as ReplyEmitted,
  },
  actors: {
    startWorkflow: fromPromise<void, StartWorkflowInput>(notProvided('startWorkflow')),
    findEquipment: fromPromise<EquipmentSummary[], FindEquipmentInput>(notProvided('findEquipment')),
    issueLink: fromPromise<IssuedLink, ConversationOnlyInput>(notProvided('issueLink')),
    unlinkIdentity: fromPromise<boolean, ConversationOnlyInput>(notProvided('unlinkIdentity')),
    findWorkOrder: fromPromise<WorkOrderSummary | null, FindWorkOrderInput>(notProvided('findWorkOrder')),
    findTechnicians: fromPromise<CmmsUserSummary[], FindTechniciansInput>(notProvided('findTechnicians')),
  },
  actions: {
    reply: emit((_, reply: Reply) => ({ type: 'reply', reply }) as const),
    /** Leaves the question and handles the same event as a new topic. */
    handleAgainInIdle: raise(({ event }) => event),
    /** The message kept while the user linked, handled again as theirs with the new identity. */
    resumeMessage: raise(({ context, event }) => {
      const resume = context.link?.resume;
      return resume?.kind === 'message'
        ? resumedMessage(resume, identityOf(event), event.at)
        : { type: 'user.message' as const, at: event.at };
    }),
    /** The kept run started again as a new run, with the parameters of the identity just linked. */
    resumeRun: assign(({ context, event }) => {
      const resume = context.link?.resume;
      const identity = identityOf(event);
      if (resume?.kind !== 'run' || !identity) return {};
      const params = withIdentity(context, event, resume.dagId, resume.params, identity);
      return { ...beginWorkflow(context, event, resume.dagId, params), link: null };
    }),
    clearLink: assign({ link: null }),
    clearTask: assign({ task: null }),
  },
  guards: {
    isIntent: ({ event }, params: { intent: Intent }) => intentOf(event).intent === params.intent,
    // Who writes (an expired link counts as none) and what their policy and role let them do.
    isLinked: ({ event }) => identityOf(event) !== null,
    isUnlinked: ({ event }) => identityOf(event) === null,
    needsLink: ({ event }) =>
      event.type === 'user.message' &&
      identityOf(event) === null &&
      linkNeeded(intentOf(event).intent, findWorkOrderNumber(userText(event)) !== undefined, policyOf(event)),
    reportNeedsLink: ({ event }) =>
      event.type === 'user.message' && identityOf(event) === null && policyOf(event) !== 'none',
    roleForbids: ({ event }) => {
      const identity = identityOf(event);
      return identity !== null && !mayDo(identity.role, intentOf(event).intent);
    },
    /** Linked now (and, with `link`, asking for the link), the kept request goes on (`run`: a run). */
    goesOn: ({ context, event }, params: { link?: boolean; run?: boolean }) =>
      identityOf(event) !== null &&
      !!context.link?.resume &&
      (!params.link || intentOf(event).intent === 'link') &&
      (!params.run || context.link.resume.kind === 'run'),
    hasResume: ({ context }) => !!context.link?.resume,
    isIdentityExpired: ({ context, event }) =>
      event.type === 'workflow.result' &&
      event.runId === context.pending?.runId &&
      event.status === 'failed' &&
      event.error?.code === 'identity_expired',
    /**
     * An invoked actor failed for the user's identity: a lookup the CMMS no longer accepts their token
     * for, or a user-only run the runtime refused to start without a live link.
     */
    failedForIdentity: ({ event }) => (event as { error?: { code?: unknown } }).error?.code === 'identity_expired',
    /** `issueLink` refused: this conversation's sender is not authenticated and may never link. */
    linkNotAllowed: ({ event }) => (event as { error?: { code?: unknown } }).error?.code === 'link_not_allowed',
    // The order a technician completes or a supervisor assigns.
    namesOrder: ({ event }) => intentOf(event).workOrder !== undefined,
    namesTechnician: ({ event }) => !!intentOf(event).technician,
    observationsTooShort: ({ event }) => [...userText(event).trim()].length < OBSERVATIONS_MIN_LENGTH,
    isMinutes: ({ event }) => parseMinutes(userText(event)) !== undefined,
    isTechnicianChoice: ({ context, event }) =>
      event.type === 'user.message' && !!context.task?.technicians?.some((t) => event.action === `technician:${t.id}`),
    hasWorkOrderNumber: ({ event }) =>
      intentOf(event).workOrder !== undefined || findWorkOrderNumber(userText(event)) !== undefined,
    changesTopic: ({ event }) => TOPIC_CHANGES.includes(intentOf(event).intent),
    hasNoContent: ({ event }) => event.type === 'user.message' && !event.text?.trim() && !event.action,
    isEquipmentChoice: ({ context, event }) =>
      context.candidates.some((e) => event.type === 'user.message' && event.action === `equipment:${e.idequipo}`),
    hasText: ({ event }) => normalize(userText(event)).length > 0,
    // Counted in characters, as the catalog's parameter rule counts them (an emoji is one).
    descriptionTooShort: ({ event }) => [...userText(event).trim()].length < DESCRIPTION_MIN_LENGTH,
    isPriority: ({ event }) => parsePriority(userText(event)) !== undefined,
    confirmed: ({ event }) => parseConfirmation(userText(event)) === true,
    declined: ({ event }) => parseConfirmation(userText(event)) === false,
    isPendingRun: ({ context, event }) =>
      (event.type === 'workflow.result' || event.type === 'workflow.timeout') && event.runId === context.pending?.runId,
    backToBot: ({ event }) =>
      intentOf(event).intent === 'cancel' ||
      ['menu', 'bot', 'asistente', 'volver', 'volver al menu', 'volver al asistente'].includes(
        normalize(userText(event)),
      ),
    isMenuButton: ({ event }) => event.type === 'user.message' && !!event.action?.startsWith('intent:'),
    isForeignButton: ({ event }, params: { expected: string | null }) =>
      event.type === 'user.message' &&
      !!event.action &&
      !event.action.startsWith('intent:') &&
      (params.expected === null || !event.action.startsWith(params.expected)),
    handoffNotAcknowledged: ({ context }) => !context.handoffAcknowledged,
    isLateReport: ({ context, event }) =>
      event.type === 'workflow.result' &&
      event.dagId === REPORT_FAILURE &&
      event.status === 'success' &&
      event.runId !== context.pending?.runId &&
      event.runId.startsWith(workflowRunId(context.conversationId, `${context.epoch.toString(36)}-`)),
  },
  delays: {
    workflowTimeout: ({ context }) => Math.max(0, (context.pending?.deadline ?? 0) - (context.pending?.startedAt ?? 0)),
  },
});
