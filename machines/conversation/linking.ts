import { assign } from 'xstate';
import type { ConversationEvent } from '../../core/runtime/model.ts';
import { replies } from '../replies.ts';
import { identityOf } from './identity.ts';
import { conversationSetup, is, say } from './setup.ts';

const sayLinked = say(({ event }) => replies.linked(identityOf(event as ConversationEvent)!, true));

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
      actions: [sayLinked, 'resumeRun'],
    },
    {
      guard: { type: 'goesOn', params: { link } },
      target: '#conversation.idle',
      actions: [sayLinked, 'resumeMessage', 'clearLink'],
    },
  ] as const;

/**
 * The user is asked to link their CMMS account: a one-time link to the gateway's page (never a
 * password in the chat). With a request to go on with, the conversation waits for the link; a new
 * topic drops the request.
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
            actions: say(({ context, event }) => replies.linkIssued(context.link!.reason, event.output.url, true)),
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
        'identity.linked': goOn(false),
        'user.message': [
          { guard: is('cancel'), target: '#conversation.idle', actions: [say(replies.linkAbandoned), 'clearLink'] },
          ...goOn(true),
          // Not linked yet: a fresh link for the same request.
          { guard: is('link'), target: 'issuing' },
          { guard: 'isMenuButton', target: '#conversation.idle', actions: ['clearLink', 'handleAgainInIdle'] },
          { guard: 'changesTopic', target: '#conversation.idle', actions: ['clearLink', 'handleAgainInIdle'] },
          ...goOn(false),
          { actions: say(replies.waitingForLink) },
        ],
      },
    },
  },
});
