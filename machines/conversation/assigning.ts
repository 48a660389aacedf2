import { assign } from 'xstate';
import { replies } from '../replies.ts';
import { relinkFor } from './identity.ts';
import { beginWorkflow, conversationSetup, interruptions, say, userText } from './setup.ts';
import type { ConversationContext } from './types.ts';

/** The context change that starts `asignar_ot` for the technician `idtecnico`. */
const assignTo = (context: ConversationContext, idtecnico: number) => ({
  ...beginWorkflow(context, { at: context.task!.at }, 'asignar_ot', { numeroot: context.task!.numeroot, idtecnico }),
  task: null,
});

/**
 * A supervisor or administrator assigns an order: the technician by name or username among the
 * CMMS's technicians; one match is assigned at once, several are offered as buttons.
 */
export const assigning = conversationSetup.createStateConfig({
  initial: 'technician',
  states: {
    technician: {
      tags: ['awaiting_input'],
      on: {
        'user.message': [
          ...interruptions('technician:', replies.assignmentCancelled),
          {
            guard: 'isTechnicianChoice',
            target: '#conversation.workflow',
            actions: assign(({ context, event }) =>
              assignTo(
                context,
                Number((event.type === 'user.message' && event.action?.slice('technician:'.length)) || 0),
              ),
            ),
          },
          {
            guard: 'hasText',
            target: 'searching',
            actions: assign({
              task: ({ context, event }) => ({ ...context.task!, query: userText(event).trim(), at: event.at }),
            }),
          },
          { actions: say(({ context }) => replies.askTechnician(context.task!.numeroot)) },
        ],
      },
    },
    searching: {
      tags: ['awaiting_input', 'busy'],
      invoke: {
        src: 'findTechnicians',
        input: ({ context }) => ({ conversationId: context.conversationId, query: context.task!.query ?? '' }),
        onDone: [
          {
            guard: ({ event }) => event.output.length === 0,
            target: 'technician',
            actions: say(({ context }) => replies.techniciansNotFound(context.task!.query ?? '')),
          },
          {
            guard: ({ event }) => event.output.length === 1,
            target: '#conversation.workflow',
            actions: assign(({ context, event }) => assignTo(context, event.output[0]!.id)),
          },
          {
            target: 'technician',
            actions: [
              assign({
                task: ({ context, event }) => ({
                  ...context.task!,
                  technicians: event.output.slice(0, 10).map((t) => ({ id: t.id, fullName: t.fullName })),
                }),
              }),
              say(({ context }) => replies.chooseTechnician(context.task!.numeroot, context.task!.technicians ?? [])),
            ],
          },
        ],
        onError: [
          {
            guard: 'failedForIdentity',
            target: '#conversation.linking',
            actions: assign(({ context }) => ({
              link: relinkFor(context, `asignar ${context.task!.numeroot} a ${context.task!.query ?? ''}`),
              task: null,
            })),
          },
          { target: 'technician', actions: say(replies.technicianLookupFailed) },
        ],
      },
    },
  },
});
