import { and, assign } from 'xstate';
import type { ConversationEvent } from '../../core/runtime/model.ts';
import { equipmentQuery, parsePriority } from '../intents.ts';
import { replies } from '../replies.ts';
import { reporterOf } from './identity.ts';
import {
  beginWorkflow,
  conversationSetup,
  interruptions,
  orderNotice,
  questions,
  REPORT_FAILURE,
  say,
  userText,
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

/** The failure report, one question at a time: equipment → description → priority → confirmation. */
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
        'order.changed': orderNotice(questions.description),
        'user.message': [
          ...interruptions(null, replies.cancelled, replies.reportLeft, questions.description),
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
        'order.changed': orderNotice(questions.priority),
        'user.message': [
          ...interruptions('priority:', replies.cancelled, replies.reportLeft, questions.priority),
          {
            guard: 'isPriority',
            target: 'confirming',
            actions: [
              assign({
                draft: ({ context, event }) => ({ ...context.draft, priority: parsePriority(userText(event)) }),
              }),
              say(({ context }) =>
                replies.askConfirmation(context.draft.equipment!, context.draft.description!, context.draft.priority!),
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
  },
});
