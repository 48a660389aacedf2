import { and, assign } from 'xstate';
import { CLOSED_WORK_ORDER_STATES } from '../../workflows/catalog.ts';
import { isUser } from '../../workflows/order-actions.ts';
import { replies } from '../replies.ts';
import { identityOf, relinkFor } from './identity.ts';
import { beginWorkflow, conversationSetup, interruptions, orderNotice, questions, say, userText } from './setup.ts';
import type { ConversationContext } from './types.ts';

const COMPLETE_ORDER = 'completar_ot';

/** `completar_ot`'s parameters, for the technician `idusuario`. */
const completion = (context: ConversationContext, idusuario: number | undefined) => ({
  numeroot: context.task!.numeroot,
  idusuario,
  observaciones: context.task!.observaciones,
  minutos: context.task!.minutos,
});

/** Said when a clear command leaves the form: the order stays as it was. */
const left = ({ context }: { context: ConversationContext }) => replies.completionLeft(context.task!.numeroot);

/** The time spent, taken; the completion is confirmed (a long time is asked again: "¿Seguro…?"). */
const takeMinutes = ['takeMinutes', say(({ context }) => replies.askCompletion(context.task!))] as const;

/**
 * A technician completes an order assigned to them: the order is looked up first (it must exist, be
 * theirs and be open), then final observations → minutes spent → confirmation → `completar_ot`.
 */
export const completing = conversationSetup.createStateConfig({
  initial: 'finding',
  states: {
    finding: {
      tags: ['awaiting_input', 'busy'],
      invoke: {
        src: 'findWorkOrder',
        input: ({ context }) => ({ conversationId: context.conversationId, numeroot: context.task!.numeroot }),
        onDone: [
          {
            guard: ({ event }) => event.output === null,
            target: '#conversation.idle',
            actions: [say(({ context }) => replies.orderNotFound(context.task!.numeroot)), 'clearTask'],
          },
          {
            // As `completar_ot` compares them (the CMMS may give the id as digits: "7").
            guard: ({ context, event }) => !isUser(event.output?.idtecnicoasignado, context.task!.userId ?? Number.NaN),
            target: '#conversation.idle',
            actions: [say(({ event }) => replies.orderNotAssignedToYou(event.output!.numeroot)), 'clearTask'],
          },
          {
            guard: ({ event }) => CLOSED_WORK_ORDER_STATES.includes(event.output?.estado_nombre ?? ''),
            target: '#conversation.idle',
            actions: [say(({ event }) => replies.orderAlreadyClosed(event.output!)), 'clearTask'],
          },
          {
            target: 'observations',
            actions: [
              // The CMMS's own number ("OT 18" may have found the order whose id is 18).
              assign({ task: ({ context, event }) => ({ ...context.task!, numeroot: event.output!.numeroot }) }),
              say(({ event }) => replies.askObservations(event.output!)),
            ],
          },
        ],
        onError: [
          {
            guard: 'failedForIdentity',
            target: '#conversation.linking',
            actions: assign(({ context }) => ({
              link: relinkFor(context, `completar ${context.task!.numeroot}`),
              task: null,
            })),
          },
          { target: '#conversation.idle', actions: [say(replies.orderLookupFailed), 'clearTask'] },
        ],
      },
    },
    observations: {
      tags: ['awaiting_input'],
      on: {
        'order.changed': orderNotice(questions.observations),
        'user.message': [
          ...interruptions(null, replies.completionDiscarded, left, questions.observations),
          { guard: 'observationsTooShort', actions: say(replies.observationsTooShort) },
          // The time written first ("45 minutos"): the observations are still missing.
          { guard: 'isMinutes', actions: say(replies.observationsFirst) },
          {
            target: 'minutes',
            actions: [
              assign({ task: ({ context, event }) => ({ ...context.task!, observaciones: userText(event).trim() }) }),
              say(replies.askMinutes),
            ],
          },
        ],
      },
    },
    minutes: {
      tags: ['awaiting_input'],
      on: {
        'order.changed': orderNotice(questions.minutes),
        'user.message': [
          ...interruptions(null, replies.completionDiscarded, left, questions.minutes),
          { guard: 'isMinutes', target: 'confirming', actions: takeMinutes },
          { actions: say(replies.invalidMinutes) },
        ],
      },
    },
    confirming: {
      tags: ['awaiting_input'],
      on: {
        'order.changed': orderNotice(questions.completionConfirmation),
        'user.message': [
          ...interruptions('confirm:', replies.completionDiscarded, left, questions.completionConfirmation),
          // The link went away meanwhile: link, then the order is completed.
          {
            guard: and(['confirmed', 'isUnlinked']),
            target: '#conversation.linking',
            actions: assign(({ context }) => ({
              link: {
                reason: 'needed' as const,
                resume: {
                  kind: 'run' as const,
                  dagId: COMPLETE_ORDER,
                  params: completion(context, context.task!.userId),
                },
              },
              task: null,
            })),
          },
          {
            guard: 'confirmed',
            target: '#conversation.workflow',
            actions: assign(({ context, event }) => ({
              ...beginWorkflow(context, event, COMPLETE_ORDER, completion(context, identityOf(event)?.cmmsUserId)),
              task: null,
            })),
          },
          { guard: 'declined', target: '#conversation.idle', actions: [say(replies.completionDiscarded), 'clearTask'] },
          // Another time instead of yes or no (e.g. after "¿Seguro que fueron 33 horas…?"): asked again.
          { guard: 'isMinutes', actions: takeMinutes },
          { actions: say(replies.invalidCompletionConfirmation) },
        ],
      },
    },
  },
});
