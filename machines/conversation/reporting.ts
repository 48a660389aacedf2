import { and, assign } from 'xstate';
import type { ConversationEvent } from '../../core/runtime/model.ts';
import { equipmentQuery } from '../intents.ts';
import { replies } from '../replies.ts';
import { reporterOf } from './identity.ts';
import { descriptionAnswer, lookupFor, priorityAnswer, withSaid } from './report-draft.ts';
import {
  beginWorkflow,
  conversationSetup,
  interruptions,
  orderNotice,
  questions,
  REPORT_FAILURE,
  say,
} from './setup.ts';
import type { ConversationContext } from './types.ts';

/** The confirmed report's parameters; `reportado_por` names who reported it and on which channel. */
function reportParams(context: ConversationContext, event: ConversationEvent): Record<string, unknown> {
  const { equipment, description, priority } = context.draft;
  return {
    idequipo: equipment!.idequipo,
    codigointerno: equipment!.codigointerno,
    equipo_nombre: equipment!.nombreequipo,
    descripcion: description,
    prioridad: priority,
    reportado_por: reporterOf(context, event),
  };
}

/**
 * The failure report: equipment → description → priority → confirmation, each asked only when the
 * messages so far did not say it (`nextStep` goes to the first one missing). Every answer is read
 * whole: the equipment's answer may bring the symptom too, the symptom's the priority.
 */
export const reporting = conversationSetup.createStateConfig({
  initial: 'equipment',
  states: {
    equipment: {
      tags: ['awaiting_input'],
      on: {
        'order.changed': orderNotice(questions.equipment),
        'user.message': [
          ...interruptions('equipment:', replies.cancelled, replies.reportLeft, questions.equipment),
          {
            guard: 'isEquipmentChoice',
            target: 'nextStep',
            actions: assign(({ context, event }) => ({
              draft: {
                ...context.draft,
                equipment: context.candidates.find(
                  (e) => event.type === 'user.message' && event.action === `equipment:${e.idequipo}`,
                ),
              },
              candidates: [],
            })),
          },
          // The answer names the equipment and may say the symptom and the priority too.
          {
            guard: 'namesEquipment',
            target: 'lookingUp',
            actions: assign(({ context, event }) => ({ ...lookupFor(event), draft: withSaid(context.draft, event) })),
          },
          { guard: 'hasText', target: 'lookingUp', actions: assign(({ event }) => lookupFor(event)) },
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
          ...(context.lookupCodes?.length ? { codes: context.lookupCodes } : {}),
        }),
        onDone: [
          {
            guard: ({ event }) => event.output.length === 1,
            target: 'nextStep',
            actions: assign(({ context, event }) => ({
              draft: { ...context.draft, equipment: event.output[0] },
              candidates: [],
            })),
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
        'order.changed': orderNotice(questions.description),
        'user.message': [
          ...interruptions(null, replies.cancelled, replies.reportLeft, questions.description),
          { guard: 'descriptionTooShort', actions: say(replies.descriptionTooShort) },
          // "pierde aceite, es urgente": the priority comes with it.
          {
            target: 'nextStep',
            actions: assign(({ context, event }) => ({
              draft: { ...withSaid(context.draft, event), description: descriptionAnswer(event) },
            })),
          },
        ],
      },
    },
    priority: {
      tags: ['awaiting_input'],
      on: {
        'order.changed': orderNotice(questions.priority),
        'user.message': [
          ...interruptions('priority:', replies.cancelled, replies.reportLeft, questions.priority),
          {
            guard: 'isPriority',
            target: 'nextStep',
            actions: assign(({ context, event }) => ({ draft: { ...context.draft, priority: priorityAnswer(event) } })),
          },
          { actions: say(replies.invalidPriority) },
        ],
      },
    },
    confirming: {
      tags: ['awaiting_input'],
      on: {
        'order.changed': orderNotice(questions.reportConfirmation),
        'user.message': [
          ...interruptions('confirm:', replies.reportDiscarded, replies.reportLeft, questions.reportConfirmation),
          // The link went away during the report (expired, removed): link, then the report is sent.
          {
            guard: and(['confirmed', 'reportNeedsLink']),
            target: '#conversation.linking',
            actions: assign(({ context, event }) => ({
              link: {
                reason: 'report' as const,
                resume: { kind: 'run' as const, dagId: REPORT_FAILURE, params: reportParams(context, event) },
              },
            })),
          },
          {
            guard: 'confirmed',
            target: '#conversation.workflow',
            actions: assign(({ context, event }) =>
              beginWorkflow(context, event, REPORT_FAILURE, reportParams(context, event)),
            ),
          },
          { guard: 'declined', target: '#conversation.idle', actions: say(replies.reportDiscarded) },
          { actions: say(replies.invalidConfirmation) },
        ],
      },
    },
    /** Passed through, never rested in: the question for the first thing the report still lacks. */
    nextStep: {
      always: [
        {
          guard: 'lacksEquipment',
          target: 'equipment',
          actions: say(({ context }) => replies.askEquipmentFor(context.draft)),
        },
        {
          guard: 'lacksDescription',
          target: 'description',
          actions: say(({ context }) => replies.askDescription(context.draft.equipment!)),
        },
        {
          guard: 'lacksPriority',
          target: 'priority',
          actions: say(({ context }) => replies.askPriorityFor(context.draft.equipment!, context.draft.description!)),
        },
        {
          target: 'confirming',
          actions: say(({ context }) =>
            replies.askConfirmation(context.draft.equipment!, context.draft.description!, context.draft.priority!),
          ),
        },
      ],
    },
  },
});
