import { assign } from 'xstate';
import { pickedNumber, technicianAnswer } from '../intents.ts';
import { replies } from '../replies.ts';
import { relinkFor } from './identity.ts';
import { typedText } from './messages.ts';
import { beginWorkflow, conversationSetup, interruptions, orderNotice, questions, say, userText } from './setup.ts';
import type { ConversationContext, TechnicianChoice } from './types.ts';

/** The context change that starts `asignar_ot` for the technician `idtecnico`. */
const assignTo = (context: ConversationContext, idtecnico: number) => ({
  ...beginWorkflow(context, { at: context.task!.at }, 'asignar_ot', { numeroot: context.task!.numeroot, idtecnico }),
  task: null,
});

/** At most 10 technicians are offered (a channel's button limit); a name finds the others. */
const offered = (found: { id: number; fullName: string }[]): TechnicianChoice[] =>
  found.slice(0, 10).map((t) => ({ id: t.id, fullName: t.fullName }));

/** A lookup refused for the user's token: link again, then the same assignment (`command`). */
const relink = (context: ConversationContext, command: string) => ({
  link: relinkFor(context, command),
  task: null,
});

/**
 * A supervisor or administrator assigns an order: the technician by name or username among the
 * CMMS's technicians; one match is assigned at once, several are offered as buttons and a numbered
 * list; no name, or a name that matches nobody, offers every technician. A number picks from the list.
 */
export const assigning = conversationSetup.createStateConfig({
  initial: 'technician',
  states: {
    technician: {
      tags: ['awaiting_input'],
      on: {
        'order.changed': orderNotice(questions.technician),
        'user.message': [
          ...interruptions(
            'technician:',
            replies.assignmentCancelled,
            ({ context }) => replies.assignmentLeft(context.task!.numeroot),
            questions.technician,
          ),
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
            guard: 'isTechnicianNumber',
            target: '#conversation.workflow',
            actions: assign(({ context, event }) =>
              assignTo(context, context.task!.technicians![pickedNumber(typedText(event))! - 1]!.id),
            ),
          },
          {
            guard: 'isPickedNumber',
            actions: say(({ context }) => replies.pickTechnicianInRange(context.task!.technicians!.length)),
          },
          {
            guard: 'hasTechnicianAnswer',
            target: 'searching',
            actions: assign({
              task: ({ context, event }) => ({
                ...context.task!,
                query: technicianAnswer(userText(event)),
                at: event.at,
              }),
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
            target: 'listing',
            actions: assign({ task: ({ context }) => ({ ...context.task!, missed: context.task!.query ?? '' }) }),
          },
          {
            guard: ({ event }) => event.output.length === 1,
            target: '#conversation.workflow',
            actions: assign(({ context, event }) => assignTo(context, event.output[0]!.id)),
          },
          {
            target: 'technician',
            actions: [
              assign({ task: ({ context, event }) => ({ ...context.task!, technicians: offered(event.output) }) }),
              say(({ context }) => replies.chooseTechnician(context.task!.numeroot, context.task!.technicians ?? [])),
            ],
          },
        ],
        onError: [
          {
            guard: 'failedForIdentity',
            target: '#conversation.linking',
            actions: assign(({ context }) =>
              relink(context, `asignar ${context.task!.numeroot} a ${context.task!.query ?? ''}`),
            ),
          },
          { target: 'technician', actions: say(replies.technicianLookupFailed) },
        ],
      },
    },
    /** Every technician, offered (no name given, or the name matched nobody). */
    listing: {
      tags: ['awaiting_input', 'busy'],
      invoke: {
        src: 'findTechnicians',
        input: ({ context }) => ({ conversationId: context.conversationId, query: '' }),
        onDone: [
          {
            guard: ({ event }) => event.output.length === 0,
            target: '#conversation.idle',
            actions: [
              say(({ context }) => replies.noTechnicians(context.task!.numeroot, context.task!.missed)),
              'clearTask',
            ],
          },
          {
            target: 'technician',
            actions: [
              assign({ task: ({ context, event }) => ({ ...context.task!, technicians: offered(event.output) }) }),
              say(({ context, event }) =>
                replies.listTechnicians(
                  context.task!.numeroot,
                  context.task!.technicians ?? [],
                  event.output.length,
                  context.task!.missed,
                ),
              ),
            ],
          },
        ],
        onError: [
          {
            guard: 'failedForIdentity',
            target: '#conversation.linking',
            actions: assign(({ context }) => relink(context, `asignar ${context.task!.numeroot}`)),
          },
          { target: 'technician', actions: say(replies.technicianLookupFailed) },
        ],
      },
    },
  },
});
