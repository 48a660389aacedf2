import { and } from 'xstate';
import type { ConversationEvent, OrderChangedEvent, Reply } from '../../core/runtime/model.ts';
import type { Intent } from '../intents.ts';
import { replies } from '../replies.ts';
import { is, say } from './action-refs.ts';
import { intentOf } from './messages.ts';
import type { QuestionOf } from './questions.ts';
import type { ConversationContext } from './types.ts';

/**
 * The order-change notifications and their switch, wherever the conversation is: neither changes the
 * state the user is in, and in a form's question (`question`) the question is said again after them.
 */

/**
 * The message comes from a chat linked to a CMMS account (an expired link too: the chat is still told
 * of its orders); only linked chats are told.
 */
export const chatLinked = (event: ConversationEvent) => event.type === 'user.message' && !!event.identity;

type Args = { context: ConversationContext; event: ConversationEvent };

/** The reply, then (in a form) the question still open. */
const asking = (make: (args: Args) => Reply, question?: QuestionOf) =>
  say(({ context, event }: Args) => {
    const reply = make({ context, event });
    return question ? replies.stillAsking(reply, question(context)) : reply;
  });

const oneOrder = (event: ConversationEvent) => intentOf(event).oneOrder === true;

/**
 * "no quiero notificaciones" / "activar notificaciones" (only as the whole message, see
 * notification-commands.ts): switched for this chat and confirmed; "notificaciones" alone says how
 * the chat is set. An unlinked chat is told that the notices come once it links. Outside idle
 * (`anyPhrasing`), only the command itself switches: "apagar avisos no funciona" is a failure's
 * description, a message in a hand-off is for the person, whatever the understanding read in them.
 */
export const noticeSwitch = (question?: QuestionOf, anyPhrasing = false) => {
  const command = (intent: Intent) => (anyPhrasing ? is(intent) : and([is(intent), 'isCommand']));
  return [
    {
      guard: command('notifications_off'),
      actions: [
        'turnNotificationsOff',
        asking(({ event }) => replies.notificationsOff(chatLinked(event), oneOrder(event)), question),
      ],
    },
    {
      guard: command('notifications_on'),
      actions: [
        'turnNotificationsOn',
        asking(({ event }) => replies.notificationsOn(chatLinked(event), oneOrder(event)), question),
      ],
    },
    {
      guard: command('notifications_info'),
      actions: asking(
        ({ context, event }) => replies.notificationsInfo(chatLinked(event), !!context.notificationsOff),
        question,
      ),
    },
  ] as const;
};

/**
 * An order the user requested or works on changed: told unless they switched notifications off or
 * this conversation made that very change itself lately (its result told them already; each own
 * change keeps back one notification).
 */
export const orderNotice = (question?: QuestionOf) =>
  [
    { guard: 'notificationsOff' },
    { guard: 'isOwnChange', actions: 'forgetOwnChange' },
    {
      actions: [
        asking(({ context, event }) => {
          const { change, relation } = event as OrderChangedEvent;
          return replies.orderChanged(change, relation, !context.notified, context.linkedUserId ?? undefined);
        }, question),
        'markNotified',
      ],
    },
  ] as const;
