import { and, assign } from 'xstate';
import { findWorkOrderNumber } from '../intents.ts';
import { replies } from '../replies.ts';
import { identityOf, resumeOf } from './identity.ts';
import { lookupFor, withSaid } from './report-draft.ts';
import { beginWorkflow, conversationSetup, intentOf, is, noticeSwitch, say, userText } from './setup.ts';

const idusuario = (event: Parameters<typeof identityOf>[0]) => identityOf(event)?.cmmsUserId;
const order = (event: Parameters<typeof intentOf>[0]) => intentOf(event).workOrder ?? '';

/** "mis OT" in one of its two lists (`mias`: requested or assigned; `asignadas`: assigned), under `guard`. */
const listMyOrders = <G>(guard: G, filtro: 'mias' | 'asignadas') => ({
  guard,
  target: 'workflow' as const,
  actions: conversationSetup.assign(({ context, event }) =>
    beginWorkflow(context, event, 'listar_mis_ot', { idusuario: idusuario(event), filtro }),
  ),
});

/**
 * No open question: each message is a new topic (the order of the guards is the order of
 * precedence). An action that needs a linked account asks for the link first and is handled again
 * once the user linked; an action the user's role may not do is refused politely. A link request
 * kept while a question for information was answered goes on (the user linked meanwhile) or is
 * awaited again.
 */
export const idle = conversationSetup.createStateConfig({
  always: [
    {
      guard: { type: 'linkParked', params: { linked: true, run: true } },
      target: 'workflow',
      actions: 'resumeRun',
    },
    { guard: { type: 'linkParked', params: { linked: true } }, actions: ['resumeMessage', 'clearLink'] },
    { guard: 'linkParked', target: 'linking.waiting', actions: 'unparkLink' },
  ],
  on: {
    'user.message': [
      { guard: is('cancel'), actions: say(replies.nothingToCancel) },
      { guard: is('greeting'), actions: say(({ event }) => replies.greeting(identityOf(event))) },
      { guard: is('help'), actions: say(({ event }) => replies.help(identityOf(event))) },
      { guard: is('thanks'), actions: say(replies.thanks) },
      { guard: is('farewell'), actions: say(replies.farewell) },
      { guard: is('acknowledge'), actions: say(replies.acknowledge) },
      ...noticeSwitch(undefined, true),
      { guard: 'hasNoContent', actions: say(({ event }) => replies.unsupportedMessage(identityOf(event))) },
      // The account and personal data.
      {
        guard: and([is('link'), 'isLinked']),
        actions: say(({ event }) => replies.alreadyLinked(identityOf(event)!)),
      },
      { guard: is('link'), target: 'linking', actions: assign({ link: { reason: 'asked', resume: null } }) },
      { guard: is('unlink'), target: 'unlinking' },
      { guard: is('erase_data'), target: 'erasing', actions: say(replies.askErase) },
      // Who may do what.
      {
        guard: 'needsLink',
        target: 'linking',
        actions: assign(({ context, event }) => ({
          link: {
            reason: intentOf(event).intent === 'report_failure' ? ('report' as const) : ('needed' as const),
            resume: resumeOf(context, event),
          },
        })),
      },
      {
        guard: 'roleForbids',
        actions: say(({ event }) => replies.notForYourRole(intentOf(event).intent, identityOf(event)!.role)),
      },
      // The person's own orders, the technician's and the supervisor's actions.
      listMyOrders(is('my_orders'), 'mias'),
      listMyOrders(is('my_assigned_orders'), 'asignadas'),
      // "mis pendientes": a technician's assigned orders, anyone else's own orders.
      listMyOrders(and([is('my_pending'), 'isTechnician']), 'asignadas'),
      listMyOrders(is('my_pending'), 'mias'),
      {
        guard: is('unassigned_orders'),
        target: 'workflow',
        actions: assign(({ context, event }) => beginWorkflow(context, event, 'listar_ot_sin_asignar', {})),
      },
      {
        guard: and([is('start_order'), 'namesOrder']),
        target: 'workflow',
        actions: assign(({ context, event }) =>
          beginWorkflow(context, event, 'iniciar_ot', { numeroot: order(event), idusuario: idusuario(event) }),
        ),
      },
      {
        guard: and([is('complete_order'), 'namesOrder']),
        target: 'completing',
        actions: assign({
          task: ({ event }) => ({ numeroot: order(event), at: event.at, userId: idusuario(event) }),
        }),
      },
      {
        guard: and([is('assign_order'), 'namesOrder', 'namesTechnician']),
        target: 'assigning.searching',
        actions: assign({
          task: ({ event }) => ({ numeroot: order(event), at: event.at, query: intentOf(event).technician }),
        }),
      },
      // No technician named: every technician is offered.
      {
        guard: and([is('assign_order'), 'namesOrder']),
        target: 'assigning.listing',
        actions: assign({ task: ({ event }) => ({ numeroot: order(event), at: event.at }) }),
      },
      // No order named: its number is asked for.
      {
        guard: is('start_order'),
        target: 'askingWorkOrder',
        actions: [assign({ asking: 'start_order' }), say(() => replies.askOrderFor('start_order'))],
      },
      {
        guard: is('complete_order'),
        target: 'askingWorkOrder',
        actions: [assign({ asking: 'complete_order' }), say(() => replies.askOrderFor('complete_order'))],
      },
      {
        guard: is('assign_order'),
        target: 'askingWorkOrder',
        actions: [assign({ asking: 'assign_order' }), say(() => replies.askOrderFor('assign_order'))],
      },
      // What anyone may ask.
      {
        guard: { type: 'hasWorkOrderNumber' },
        target: 'workflow',
        actions: assign(({ context, event }) =>
          beginWorkflow(context, event, 'consultar_estado_ot', {
            numeroot: intentOf(event).workOrder ?? findWorkOrderNumber(userText(event)),
          }),
        ),
      },
      {
        guard: is('work_order_status'),
        target: 'askingWorkOrder',
        actions: [assign({ asking: null }), say(replies.askWorkOrderNumber)],
      },
      // What the report says is kept; a named equipment is looked up at once, and only the rest is asked.
      {
        guard: and([is('report_failure'), 'namesEquipment']),
        target: 'reporting.lookingUp',
        actions: assign(({ event }) => ({ draft: withSaid({}, event), candidates: [], ...lookupFor(event) })),
      },
      {
        guard: is('report_failure'),
        target: 'reporting.nextStep',
        actions: assign(({ event }) => ({ draft: withSaid({}, event), candidates: [] })),
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
      { guard: 'isStrayAnswer', actions: say(replies.strayAnswer) },
      { actions: say(({ event }) => replies.unknown(identityOf(event))) },
    ],
  },
});
