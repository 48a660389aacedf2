import { assign } from 'xstate';
import { equipmentQuery, parsePriority } from '../intents.ts';
import { replies } from '../replies.ts';
import { beginWorkflow, conversationSetup, interruptions, REPORT_FAILURE, say, userText } from './setup.ts';

/** The failure report, one question at a time: equipment → description → priority → confirmation. */
export const reporting = conversationSetup.createStateConfig({
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
});
