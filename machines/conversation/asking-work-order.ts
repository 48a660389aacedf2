import { assign } from 'xstate';
import { findWorkOrderNumber } from '../intents.ts';
import { replies } from '../replies.ts';
import { beginWorkflow, conversationSetup, is, say, userText } from './setup.ts';

/** Waits for the number of the work order whose status the user asked for. */
export const askingWorkOrder = conversationSetup.createStateConfig({
  tags: ['awaiting_input'],
  on: {
    'user.message': [
      { guard: is('cancel'), target: 'idle', actions: say(replies.cancelled) },
      // Another topic, even one naming an order ("iniciar OT-CORR-1"), is handled as such.
      { guard: 'changesTopic', target: 'idle', actions: 'handleAgainInIdle' },
      {
        guard: 'hasWorkOrderNumber',
        target: 'workflow',
        actions: assign(({ context, event }) =>
          beginWorkflow(context, event, 'consultar_estado_ot', {
            numeroot: findWorkOrderNumber(userText(event)),
          }),
        ),
      },
      { guard: { type: 'isForeignButton', params: { expected: null } }, actions: say(replies.staleButton) },
      { actions: say(replies.invalidWorkOrderNumber) },
    ],
  },
});
