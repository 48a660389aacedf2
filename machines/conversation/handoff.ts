import { assign } from 'xstate';
import type { AgentMessageEvent } from '../../core/runtime/model.ts';
import { agentLabel } from '../../lib/agent-label.ts';
import { replies } from '../replies.ts';
import { conversationSetup, noticeSwitch, say } from './setup.ts';

/**
 * A person answers; the user leaves with "menú"/"cancelar", the person releases, or the runtime expires it.
 * The notifications' switch, typed as the whole message, is the assistant's (the hand-off goes on).
 */
export const handoff = conversationSetup.createStateConfig({
  tags: ['handoff'],
  entry: [
    assign({
      handoffAcknowledged: false,
      handoffAgent: undefined,
      handoffActiveAt: ({ event }) => (event as { at?: number }).at ?? 0,
    }),
    say(replies.handoff),
  ],
  on: {
    'user.message': [
      // The notifications' switch is for the assistant, not a message to the person.
      ...noticeSwitch(),
      { guard: 'backToBot', target: 'idle', actions: say(replies.handoffEnded) },
      // The person answers; the assistant only confirms once that the messages reach them.
      {
        guard: 'handoffNotAcknowledged',
        actions: [assign({ handoffAcknowledged: true }), say(replies.handoffNoted)],
      },
    ],
    'agent.message': {
      actions: [
        // Once a person answers, the user's messages are a conversation with them: no more notes from the assistant.
        assign({
          handoffActiveAt: ({ event }) => event.at,
          handoffAcknowledged: true,
          handoffAgent: ({ event }) => agentLabel((event as AgentMessageEvent).agent),
        }),
        say(({ event }) => {
          const { agent, text } = event as AgentMessageEvent;
          return replies.agentMessage(agentLabel(agent), text);
        }),
      ],
    },
    'agent.release': { target: 'idle', actions: say(({ context }) => replies.handoffReleased(context.handoffAgent)) },
    'handoff.expire': { target: 'idle', actions: say(replies.handoffExpired) },
  },
});
