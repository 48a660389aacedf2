import { assign, emit, fromPromise, raise, setup } from 'xstate';
import type { ConversationEvent, Reply } from '../../core/runtime/model.ts';
import type { EquipmentSummary } from '../../core/workflows/results.ts';
import type { DagId } from '../../workflows/catalog.ts';
import type { CmmsUserSummary, WorkOrderSummary } from '../../workflows/cmms.ts';
import { workflowRunId } from '../../workflows/run-id.ts';
import { orderAnswer } from '../commands.ts';
import { findWorkOrderNumber, type Intent, normalize, parseConfirmation, parseMinutes } from '../intents.ts';
import { replies } from '../replies.ts';
import { linkNeeded, mayDo } from '../roles.ts';
import { say, surely } from './action-refs.ts';
import { orderGuards } from './guards.ts';
import { identityOf, policyOf, resumedMessage, withIdentity } from './identity.ts';
import { intentOf, surely as readSurely, TOPIC_CHANGES, typedAs, typedText, userText } from './messages.ts';
import { chatLinked, noticeSwitch } from './notices.ts';
import { isOwnChange, linkedUserOf, withOwnChange, withoutOwnChange } from './notifications.ts';
import type { QuestionOf } from './questions.ts';
import { reportGuards } from './report-draft.ts';
import type {
  ConversationContext,
  ConversationInput,
  ConversationOnlyInput,
  FindEquipmentInput,
  FindTechniciansInput,
  FindWorkOrderInput,
  IssuedLink,
  OrderAction,
  ReplyEmitted,
  StartWorkflowInput,
} from './types.ts';

/** The workflow whose late result is still told (an order was created all the same). */
export const REPORT_FAILURE: DagId = 'reportar_falla';

const notProvided = (name: string) => async (): Promise<never> => {
  throw new Error(`actor "${name}" must be provided by the runtime`);
};

export { is, say, surely } from './action-refs.ts';
export { intentOf, TOPIC_CHANGES, userText } from './messages.ts';
export { noticeSwitch, orderNotice } from './notices.ts';
export { type QuestionOf, questions } from './questions.ts';

/**
 * What every question accepts besides its answer: cancel and a person (read surely, see `surely`), the
 * notifications' switch (the
 * question stays and is asked again: `question`), a main-menu button or a clear command typed instead
 * of the answer (a new topic: `left` says what was left undone), and an out-of-date button (one from
 * an earlier question), which is refused politely.
 */
export const interruptions = (
  expected: string | null,
  cancelled: () => Reply,
  left: (args: { context: ConversationContext }) => Reply,
  question: QuestionOf,
) => {
  const leave = [say(left), 'clearTask', 'handleAgainInIdle'] as const;
  return [
    { guard: surely('cancel'), target: '#conversation.idle', actions: say(cancelled) },
    { guard: surely('handoff'), target: '#conversation.handoff' },
    ...noticeSwitch(question),
    { guard: 'isMenuButton', target: '#conversation.idle', actions: leave },
    { guard: 'isCommand', target: '#conversation.idle', actions: leave },
    { guard: { type: 'isForeignButton', params: { expected } }, actions: say(replies.staleButton) },
  ] as const;
};

/** The command an answer to "¿Qué orden quieres iniciar?" stands for ("OT-CORR-1" → "iniciar OT-CORR-1"). */
const ORDER_COMMANDS: Record<OrderAction, string> = {
  start_order: 'iniciar',
  complete_order: 'completar',
  assign_order: 'asignar',
};

/**
 * The time of the event that goes on with a kept request: a conversation event's, else (the
 * machine's own workflow timer ended the answer given meanwhile) the time the user linked.
 */
const timeOf = (context: ConversationContext, event: { at?: number }) => event.at ?? context.link?.linkedAt ?? 0;

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
    /** The answer to "¿Qué orden quieres …?" handled in idle as the whole command. */
    handleAsOrderCommand: raise(({ context, event }) =>
      typedAs(event, `${ORDER_COMMANDS[context.asking ?? 'start_order']} ${orderAnswer(typedText(event)) ?? ''}`),
    ),
    /**
     * The message kept while the user linked, handled again as theirs with the new identity (the
     * event's, or the one kept when they linked while a question for information was answered).
     */
    resumeMessage: raise(({ context, event }) => {
      const resume = context.link?.resume;
      const at = timeOf(context, event);
      return resume?.kind === 'message'
        ? resumedMessage(resume, identityOf(event) ?? context.link?.linked ?? null, at)
        : { type: 'user.message' as const, at };
    }),
    /** The kept run started again as a new run, with the parameters of the identity just linked. */
    resumeRun: assign(({ context, event }) => {
      const resume = context.link?.resume;
      const identity = identityOf(event) ?? context.link?.linked ?? null;
      if (resume?.kind !== 'run' || !identity) return {};
      const params = withIdentity(context, event, resume.dagId, resume.params, identity);
      return { ...beginWorkflow(context, { at: timeOf(context, event) }, resume.dagId, params), link: null };
    }),
    clearLink: assign({ link: null }),
    /** The link just announced or acted on (its own `identity.linked` turn then says nothing). */
    announceLinked: assign(({ context, event }) => ({
      linkedAnnounced: identityOf(event)?.linkedAt ?? context.linkedAnnounced,
    })),
    /** Back to waiting for the link after a question for information was answered. */
    unparkLink: assign(({ context }) => ({ link: context.link ? { ...context.link, parked: false } : null })),
    clearTask: assign({ task: null }),
    // Only a linked chat is told of its orders: an unlinked one has nothing to switch.
    turnNotificationsOff: assign(({ event }) => (chatLinked(event) ? { notificationsOff: true } : {})),
    turnNotificationsOn: assign(({ event }) => (chatLinked(event) ? { notificationsOff: false } : {})),
    /** The first notification was told (the next ones leave out how to turn them off). */
    markNotified: assign({ notified: true }),
    /** A successful failure report or order action: the order's new state is not told back (see notifications.ts). */
    recordOwnChange: assign(({ context, event }) =>
      event.type === 'workflow.result' ? withOwnChange(context, event) : {},
    ),
    /** A change kept back as the conversation's own: the record is used up. */
    forgetOwnChange: assign(({ context, event }) =>
      event.type === 'order.changed' ? withoutOwnChange(context, event) : {},
    ),
    rememberLinkedUser: assign(({ event }) => {
      const user = linkedUserOf(event);
      return user === undefined ? {} : { linkedUserId: user };
    }),
    takeMinutes: assign({
      task: ({ context, event }) => ({ ...context.task!, minutos: parseMinutes(userText(event)) }),
    }),
  },
  guards: {
    ...orderGuards,
    ...reportGuards,
    isIntent: ({ event }, params: { intent: Intent }) => intentOf(event).intent === params.intent,
    isSurely: ({ event }, params: { intent: Intent }) => readSurely(event, params.intent),
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
    hasWorkOrderNumber: ({ event }) =>
      intentOf(event).workOrder !== undefined || findWorkOrderNumber(userText(event)) !== undefined,
    changesTopic: ({ event }) => TOPIC_CHANGES.includes(intentOf(event).intent) && intentOf(event).sure,
    hasNoContent: ({ event }) => event.type === 'user.message' && !event.text?.trim() && !event.action,
    isEquipmentChoice: ({ context, event }) =>
      context.candidates.some((e) => event.type === 'user.message' && event.action === `equipment:${e.idequipo}`),
    hasText: ({ event }) => normalize(userText(event)).length > 0,
    confirmed: ({ event }) => parseConfirmation(userText(event)) === true,
    declined: ({ event }) => parseConfirmation(userText(event)) === false,
    isPendingRun: ({ context, event }) =>
      (event.type === 'workflow.result' || event.type === 'workflow.timeout') && event.runId === context.pending?.runId,
    backToBot: ({ event }) =>
      readSurely(event, 'cancel') ||
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
    notificationsOff: ({ context }) => !!context.notificationsOff,
    /** The event says the chat is linked to another CMMS user than the context keeps (or to none now). */
    linkedUserChanged: ({ context, event }) => {
      const user = linkedUserOf(event);
      return user !== undefined && user !== context.linkedUserId;
    },
    isOwnChange: ({ context, event }) => event.type === 'order.changed' && isOwnChange(context, event),
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
