import { and, assign, not } from 'xstate';
import { orderAnswer } from '../commands.ts';
import { findWorkOrderNumber } from '../intents.ts';
import { replies } from '../replies.ts';
import {
  beginWorkflow,
  conversationSetup,
  noticeSwitch,
  orderNotice,
  questions,
  say,
  surely,
  userText,
} from './setup.ts';

/**
 * Waits for the number of a work order: the one whose status the user asked for, or (`asking`) the
 * one to start, complete or assign, which is then handled as the whole command ("5" after "iniciar"
 * is "iniciar OT 5"; "OT-CORR-1 a María" after "asignar" is "asignar OT-CORR-1 a María").
 */
export const askingWorkOrder = conversationSetup.createStateConfig({
  tags: ['awaiting_input'],
  on: {
    'order.changed': orderNotice(questions.orderNumber),
    'user.message': [
      { guard: surely('cancel'), target: 'idle', actions: say(replies.cancelled) },
      // The question stays, asked again.
      ...noticeSwitch(questions.orderNumber),
      // Another topic, even one naming an order ("iniciar OT-CORR-1"), is handled as such.
      { guard: 'changesTopic', target: 'idle', actions: 'handleAgainInIdle' },
      {
        guard: and(['isAskingAction', 'isOrderAnswer', not('asksStatus')]),
        target: 'idle',
        actions: 'handleAsOrderCommand',
      },
      { guard: 'isCommand', target: 'idle', actions: 'handleAgainInIdle' },
      {
        guard: 'isOrderAnswer',
        target: 'workflow',
        actions: assign(({ context, event }) =>
          beginWorkflow(context, event, 'consultar_estado_ot', {
            numeroot: findWorkOrderNumber(orderAnswer(userText(event)) ?? ''),
          }),
        ),
      },
      { guard: { type: 'isForeignButton', params: { expected: null } }, actions: say(replies.staleButton) },
      { actions: say(replies.invalidWorkOrderNumber) },
    ],
  },
});
