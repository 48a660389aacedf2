import { assign } from 'xstate';
import { replies } from '../replies.ts';
import { conversationSetup, interruptions, orderNotice, questions, say } from './setup.ts';

/**
 * "borrar mis datos": asks for confirmation, then `erased` carries the `forget` tag: once the turn's
 * replies are handed over, the runtime erases the conversation (its link, snapshot, transcript and
 * event log). Should the erase not happen, the next message starts afresh from idle.
 */
export const erasing = conversationSetup.createStateConfig({
  initial: 'confirming',
  states: {
    confirming: {
      tags: ['awaiting_input'],
      on: {
        'order.changed': orderNotice(questions.eraseConfirmation),
        'user.message': [
          ...interruptions('confirm:', replies.eraseDeclined, replies.eraseLeft, questions.eraseConfirmation),
          { guard: 'confirmed', target: 'erased', actions: say(replies.erased) },
          { guard: 'declined', target: '#conversation.idle', actions: say(replies.eraseDeclined) },
          { actions: say(replies.invalidEraseConfirmation) },
        ],
      },
    },
    erased: {
      tags: ['forget'],
      entry: assign({ draft: {}, candidates: [], lookupQuery: '', link: null, task: null }),
      on: { 'user.message': { target: '#conversation.idle', actions: 'handleAgainInIdle' } },
    },
  },
});
