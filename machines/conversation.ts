import { assign, type EventObject, emit, fromPromise, raise, type SnapshotFrom, setup } from 'xstate';
import type {
  AgentMessageEvent,
  ConversationEvent,
  PendingRun,
  Reply,
  WorkflowResultEvent,
} from '../core/runtime/model.ts';
import type { EquipmentSummary } from '../core/workflows/results.ts';
import type { DagId } from '../workflows/catalog.ts';
import { workflowRunId } from '../workflows/run-id.ts';
import {
  detectIntent,
  equipmentQuery,
  findWorkOrderNumber,
  type Intent,
  normalize,
  type Priority,
  parseConfirmation,
  parsePriority,
} from './intents.ts';
import { renderWorkflowError, renderWorkflowResult, replies } from './replies.ts';

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

/** The workflow whose late result is still told (an order was created all the same). */
const REPORT_FAILURE: DagId = 'reportar_falla';

/** Bumped whenever a change makes older snapshots unsafe to restore (see the runtime's migration). */
export const MACHINE_VERSION = 1;

export interface ReportDraft {
  equipment?: EquipmentSummary;
  description?: string;
  priority?: Priority;
}

export interface ConversationContext {
  conversationId: string;
  workflowTimeoutMs: number;
  /** Distinguishes this conversation from an earlier one with the same id (run ids never repeat). */
  epoch: number;
  /** Workflows started so far. */
  turn: number;
  pending: WorkflowRun | null;
  draft: ReportDraft;
  candidates: EquipmentSummary[];
  lookupQuery: string;
  /** In a hand-off: whether the user was told once that their messages reach a person. */
  handoffAcknowledged?: boolean;
  /** In a hand-off: when it started or a person last wrote (the runtime expires it after a while). */
  handoffActiveAt?: number;
}

/** The run the conversation waits for; its workflow is one of the catalog's. */
export type WorkflowRun = PendingRun & { dagId: DagId };

export interface ConversationInput {
  conversationId: string;
  workflowTimeoutMs: number;
  /** Creation time (ms). */
  now: number;
}

export interface ReplyEmitted {
  type: 'reply';
  reply: Reply;
}

export interface FindEquipmentInput {
  conversationId: string;
  query: string;
}

export interface StartWorkflowInput {
  conversationId: string;
  dagId: DagId;
  runId: string;
  params: Record<string, unknown>;
}

const notProvided = (name: string) => async (): Promise<never> => {
  throw new Error(`actor "${name}" must be provided by the runtime`);
};

const intents = new WeakMap<ConversationEvent, { intent: Intent; workOrder?: string }>();

/** The intent of a user message: a pressed `intent:<name>` button, or the text's keywords (once per event). */
export function intentOf(event: ConversationEvent): { intent: Intent; workOrder?: string } {
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

const is = (intent: Intent) => ({ type: 'isIntent', params: { intent } }) as const;
const userText = (event: ConversationEvent) =>
  event.type === 'user.message' ? (event.action ?? event.text ?? '') : '';
/** The `reply` action with its text made from context and event. */
const say = <E extends EventObject = EventObject>(make: (args: { context: ConversationContext; event: E }) => Reply) =>
  ({ type: 'reply', params: make }) as const;

/** Intents that leave an unfinished question for another topic. */
const TOPIC_CHANGES: Intent[] = [
  'greeting',
  'help',
  'report_failure',
  'list_equipment',
  'pending_work_orders',
  'handoff',
];

/**
 * What every question accepts besides its answer: cancel, a person, a main-menu button (a new
 * topic), and an out-of-date button (one from an earlier question), which is refused politely.
 */
const interruptions = (expected: string | null, cancelled: () => Reply = replies.cancelled) =>
  [
    { guard: is('cancel'), target: '#conversation.idle', actions: say(cancelled) },
    { guard: is('handoff'), target: '#conversation.handoff' },
    { guard: 'isMenuButton', target: '#conversation.idle', actions: 'handleAgainInIdle' },
    { guard: { type: 'isForeignButton', params: { expected } }, actions: say(replies.staleButton) },
  ] as const;

export const conversationMachine = setup({
  types: {
    context: {} as ConversationContext,
    events: {} as ConversationEvent,
    input: {} as ConversationInput,
    emitted: {} as ReplyEmitted,
  },
  actors: {
    startWorkflow: fromPromise<void, StartWorkflowInput>(notProvided('startWorkflow')),
    findEquipment: fromPromise<EquipmentSummary[], FindEquipmentInput>(notProvided('findEquipment')),
  },
  actions: {
    reply: emit((_, reply: Reply) => ({ type: 'reply', reply }) as const),
    /** Leaves the question and handles the same event as a new topic. */
    handleAgainInIdle: raise(({ event }) => event),
  },
  guards: {
    isIntent: ({ event }, params: { intent: Intent }) => intentOf(event).intent === params.intent,
    hasWorkOrderNumber: ({ event }) =>
      intentOf(event).workOrder !== undefined || findWorkOrderNumber(userText(event)) !== undefined,
    changesTopic: ({ event }) => TOPIC_CHANGES.includes(intentOf(event).intent),
    hasNoContent: ({ event }) => event.type === 'user.message' && !event.text?.trim() && !event.action,
    isEquipmentChoice: ({ context, event }) =>
      context.candidates.some((e) => event.type === 'user.message' && event.action === `equipment:${e.idequipo}`),
    hasText: ({ event }) => normalize(userText(event)).length > 0,
    descriptionTooShort: ({ event }) => userText(event).trim().length < 10,
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
}).createMachine({
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
  states: {
    idle: {
      on: {
        'user.message': [
          { guard: is('cancel'), actions: say(replies.nothingToCancel) },
          { guard: is('greeting'), actions: say(replies.greeting) },
          { guard: is('help'), actions: say(replies.help) },
          { guard: is('thanks'), actions: say(replies.thanks) },
          { guard: 'hasNoContent', actions: say(replies.unsupportedMessage) },
          {
            guard: { type: 'hasWorkOrderNumber' },
            target: 'workflow',
            actions: assign(({ context, event }) =>
              beginWorkflow(context, event, 'consultar_estado_ot', {
                numeroot: intentOf(event).workOrder ?? findWorkOrderNumber(userText(event)),
              }),
            ),
          },
          { guard: is('work_order_status'), target: 'askingWorkOrder', actions: say(replies.askWorkOrderNumber) },
          {
            guard: is('report_failure'),
            target: 'reporting',
            actions: [assign({ draft: {}, candidates: [] }), say(replies.askEquipment)],
          },
          {
            guard: is('list_equipment'),
            target: 'workflow',
            actions: assign(({ context, event }) => beginWorkflow(context, event, 'listar_equipos', {})),
          },
          {
            guard: is('pending_work_orders'),
            target: 'workflow',
            actions: assign(({ context, event }) => beginWorkflow(context, event, 'listar_ot_pendientes', {})),
          },
          { guard: is('handoff'), target: 'handoff' },
          { actions: say(replies.unknown) },
        ],
      },
    },

    askingWorkOrder: {
      tags: ['awaiting_input'],
      on: {
        'user.message': [
          { guard: is('cancel'), target: 'idle', actions: say(replies.cancelled) },
          {
            guard: 'hasWorkOrderNumber',
            target: 'workflow',
            actions: assign(({ context, event }) =>
              beginWorkflow(context, event, 'consultar_estado_ot', {
                numeroot: findWorkOrderNumber(userText(event)),
              }),
            ),
          },
          { guard: 'changesTopic', target: 'idle', actions: 'handleAgainInIdle' },
          { guard: { type: 'isForeignButton', params: { expected: null } }, actions: say(replies.staleButton) },
          { actions: say(replies.invalidWorkOrderNumber) },
        ],
      },
    },

    reporting: {
      initial: 'equipment',
      states: {
        equipment: {
          tags: ['awaiting_input'],
          on: {
            'user.message': [
              ...interruptions('equipment:'),
              {
                guard: 'isEquipmentChoice',
                target: 'description',
                actions: [
                  assign(({ context, event }) => ({
                    draft: {
                      equipment: context.candidates.find(
                        (e) => event.type === 'user.message' && event.action === `equipment:${e.idequipo}`,
                      ),
                    },
                    candidates: [],
                  })),
                  say(({ context }) => replies.askDescription(context.draft.equipment!)),
                ],
              },
              {
                guard: 'hasText',
                target: 'lookingUp',
                actions: assign({ lookupQuery: ({ event }) => userText(event).trim() }),
              },
              { actions: say(replies.askEquipment) },
            ],
          },
        },
        lookingUp: {
          tags: ['awaiting_input', 'busy'],
          invoke: {
            src: 'findEquipment',
            input: ({ context }) => ({
              conversationId: context.conversationId,
              query: equipmentQuery(context.lookupQuery),
            }),
            onDone: [
              {
                guard: ({ event }) => event.output.length === 1,
                target: 'description',
                actions: [
                  assign(({ event }) => ({ draft: { equipment: event.output[0] }, candidates: [] })),
                  say(({ context }) => replies.askDescription(context.draft.equipment!)),
                ],
              },
              {
                guard: ({ event }) => event.output.length === 0,
                target: 'equipment',
                actions: say(({ context }) => replies.equipmentNotFound(context.lookupQuery)),
              },
              {
                target: 'equipment',
                actions: [
                  assign({ candidates: ({ event }) => event.output.slice(0, 10) }),
                  say(({ context }) => replies.chooseEquipment(context.candidates)),
                ],
              },
            ],
            onError: { target: 'equipment', actions: say(replies.equipmentLookupFailed) },
          },
        },
        description: {
          tags: ['awaiting_input'],
          on: {
            'user.message': [
              ...interruptions(null),
              { guard: 'descriptionTooShort', actions: say(replies.descriptionTooShort) },
              {
                target: 'priority',
                actions: [
                  assign({
                    draft: ({ context, event }) => ({ ...context.draft, description: userText(event).trim() }),
                  }),
                  say(replies.askPriority),
                ],
              },
            ],
          },
        },
        priority: {
          tags: ['awaiting_input'],
          on: {
            'user.message': [
              ...interruptions('priority:'),
              {
                guard: 'isPriority',
                target: 'confirming',
                actions: [
                  assign({
                    draft: ({ context, event }) => ({ ...context.draft, priority: parsePriority(userText(event)) }),
                  }),
                  say(({ context }) =>
                    replies.askConfirmation(
                      context.draft.equipment!,
                      context.draft.description!,
                      context.draft.priority!,
                    ),
                  ),
                ],
              },
              { actions: say(replies.invalidPriority) },
            ],
          },
        },
        confirming: {
          tags: ['awaiting_input'],
          on: {
            'user.message': [
              ...interruptions('confirm:', replies.reportDiscarded),
              {
                guard: 'confirmed',
                target: '#conversation.workflow',
                actions: assign(({ context, event }) =>
                  beginWorkflow(context, event, REPORT_FAILURE, {
                    idequipo: context.draft.equipment!.idequipo,
                    codigointerno: context.draft.equipment!.codigointerno,
                    equipo_nombre: context.draft.equipment!.nombreequipo,
                    descripcion: context.draft.description,
                    prioridad: context.draft.priority,
                  }),
                ),
              },
              { guard: 'declined', target: '#conversation.idle', actions: say(replies.reportDiscarded) },
              { actions: say(replies.invalidConfirmation) },
            ],
          },
        },
      },
    },

    workflow: {
      initial: 'starting',
      states: {
        starting: {
          tags: ['processing', 'busy'],
          entry: say(({ context }) => replies.processing(context.pending!.dagId, context.pending!.params)),
          invoke: {
            src: 'startWorkflow',
            input: ({ context }) => ({
              conversationId: context.conversationId,
              dagId: context.pending!.dagId,
              runId: context.pending!.runId,
              params: context.pending!.params,
            }),
            onDone: 'waiting',
            onError: {
              target: '#conversation.idle',
              actions: [
                say(({ event }) =>
                  replies.workflowUnavailable((event as { error?: { reason?: string } }).error?.reason),
                ),
                assign({ pending: null }),
              ],
            },
          },
        },
        waiting: {
          tags: ['processing'],
          after: {
            workflowTimeout: {
              target: '#conversation.idle',
              actions: [say(replies.timedOut), assign({ pending: null })],
            },
          },
          on: {
            'workflow.result': [
              {
                guard: ({ context, event }) => event.runId === context.pending?.runId && event.status === 'success',
                target: '#conversation.idle',
                actions: [
                  say(({ event }) =>
                    renderWorkflowResult((event as WorkflowResultEvent).dagId, (event as WorkflowResultEvent).result),
                  ),
                  assign({ pending: null, draft: {} }),
                ],
              },
              {
                guard: 'isPendingRun',
                target: '#conversation.idle',
                actions: [
                  say(({ event }) =>
                    renderWorkflowError((event as WorkflowResultEvent).dagId, (event as WorkflowResultEvent).error),
                  ),
                  assign({ pending: null }),
                ],
              },
            ],
            'workflow.timeout': {
              guard: 'isPendingRun',
              target: '#conversation.idle',
              actions: [say(replies.timedOut), assign({ pending: null })],
            },
            'user.message': [
              {
                guard: is('cancel'),
                target: '#conversation.idle',
                actions: [say(replies.stoppedWaiting), assign({ pending: null })],
              },
              { actions: say(replies.stillProcessing) },
            ],
          },
        },
      },
    },

    handoff: {
      tags: ['handoff'],
      entry: [
        assign({ handoffAcknowledged: false, handoffActiveAt: ({ event }) => (event as { at?: number }).at ?? 0 }),
        say(replies.handoff),
      ],
      on: {
        'user.message': [
          { guard: 'backToBot', target: 'idle', actions: say(replies.handoffEnded) },
          // The person answers; the assistant only confirms once that the messages reach them.
          {
            guard: 'handoffNotAcknowledged',
            actions: [assign({ handoffAcknowledged: true }), say(replies.handoffNoted)],
          },
        ],
        'agent.message': {
          actions: [
            assign({ handoffActiveAt: ({ event }) => event.at }),
            say(({ event }) => ({ text: (event as AgentMessageEvent).text })),
          ],
        },
        'agent.release': { target: 'idle', actions: say(replies.handoffEnded) },
        'handoff.expire': { target: 'idle', actions: say(replies.handoffExpired) },
      },
    },
  },
});

function beginWorkflow(
  context: ConversationContext,
  event: ConversationEvent,
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
