import { assign } from 'xstate';
import { findWorkOrderNumber } from '../intents.ts';
import { replies } from '../replies.ts';
import { beginWorkflow, conversationSetup, intentOf, is, say, userText } from './setup.ts';

/** No open question: each message is a new topic (the order of the guards is the order of precedence). */
export const idle = conversationSetup.createStateConfig({
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
});
