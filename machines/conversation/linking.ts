import { and, assign, not } from 'xstate';
import type { ConversationEvent } from '../../core/runtime/model.ts';
import { replies } from '../replies.ts';
import { infoRun } from './guards.ts';
import { identityOf } from './identity.ts';
import { beginWorkflow, conversationSetup, is, noticeSwitch, say, surely } from './setup.ts';
import type { ConversationContext } from './types.ts';

const sayLinked = [
  say(({ event }) => replies.linked(identityOf(event as ConversationEvent)!, true)),
  'announceLinked',
] as const;

/**
 * Once the user linked (the `identity.linked` event, or a message that already carries the link; with
 * `link`: a message asking for the link): the kept request goes on, a run again with the identity's
 * parameters, or the kept message handled again in idle as theirs.
 */
const goOn = (link: boolean) =>
  [
    {
      guard: { type: 'goesOn', params: { link, run: true } },
      target: '#conversation.workflow',
      actions: [...sayLinked, 'resumeRun'],
    },
    {
      guard: { type: 'goesOn', params: { link } },
      target: '#conversation.idle',
      actions: [...sayLinked, 'resumeMessage', 'clearLink'],
    },
  ] as const;

/** The link request kept while a question for information is answered (then the wait goes on). */
const parked = (context: ConversationContext) => (context.link ? { ...context.link, parked: true } : null);

/**
 * The user is asked to link their CMMS account: a one-time link to the gateway's page (never a
 * password in the chat). With a request to go on with, the conversation waits for the link: another
 * action drops the request (said so); a greeting, help, a status check or a list is answered and the
 * request kept (once that answer is given, the wait goes on, or the request if they linked meanwhile).
 */
export const linking = conversationSetup.createStateConfig({
  initial: 'issuing',
  states: {
    issuing: {
      tags: ['busy'],
      invoke: {
        src: 'issueLink',
        input: ({ context }) => ({ conversationId: context.conversationId }),
        onDone: [
          {
            guard: 'hasResume',
            target: 'waiting',
            actions: say(({ context, event }) =>
              replies.linkIssued(context.link!.reason, event.output.url, true, context.link!.fresh),
            ),
          },
          {
            target: '#conversation.idle',
            actions: [
              say(({ context, event }) => replies.linkIssued(context.link!.reason, event.output.url, false)),
              assign({ link: null }),
            ],
          },
        ],
        onError: [
          // This conversation may never link (its sender is not authenticated): said so, and a request
          // that needed the link is dropped.
          {
            guard: 'linkNotAllowed',
            target: '#conversation.idle',
            actions: [
              say(({ context }) => replies.linkNotAllowed(context.link?.reason ?? 'asked')),
              assign(({ context }) => (context.link?.resume ? { link: null, draft: {}, task: null } : { link: null })),
            ],
          },
          { target: '#conversation.idle', actions: [say(replies.linkFailed), assign({ link: null })] },
        ],
      },
    },
    waiting: {
      tags: ['awaiting_input'],
      on: {
        // Already acted on: a message carried the link before this event's turn.
        'identity.linked': [{ guard: 'linkAnnounced' }, ...goOn(false)],
        'user.message': [
          { guard: surely('cancel'), target: '#conversation.idle', actions: [say(replies.linkAbandoned), 'clearLink'] },
          // The wait for the link stays.
          ...noticeSwitch(),
          ...goOn(true),
          // Not linked yet: a fresh link for the same request.
          {
            guard: is('link'),
            target: 'issuing',
            actions: assign(({ context }) => ({ link: context.link ? { ...context.link, fresh: true } : null })),
          },
          // Another action: the request is dropped (and the user told so), the action handled.
          {
            guard: 'isOtherAction',
            target: '#conversation.idle',
            actions: [say(replies.linkRequestDropped), 'clearLink', 'handleAgainInIdle'],
          },
          ...goOn(false),
          // A question for information is answered and the request kept.
          { guard: is('greeting'), actions: say(({ event }) => replies.greeting(identityOf(event))) },
          { guard: is('help'), actions: say(({ event }) => replies.help(identityOf(event))) },
          { guard: is('thanks'), actions: say(replies.thanks) },
          {
            guard: 'isInfoRun',
            target: '#conversation.workflow',
            actions: assign(({ context, event }) => {
              const run = infoRun(event)!;
              return { ...beginWorkflow(context, event, run.dagId, run.params), link: parked(context) };
            }),
          },
          {
            guard: and([is('work_order_status'), not('needsLink')]),
            target: '#conversation.askingWorkOrder',
            actions: [
              assign(({ context }) => ({ asking: null, link: parked(context) })),
              say(replies.askWorkOrderNumber),
            ],
          },
          { actions: say(replies.waitingForLink) },
        ],
      },
    },
  },
});
