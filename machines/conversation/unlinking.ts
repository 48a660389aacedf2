import { assign } from 'xstate';
import { replies } from '../replies.ts';
import { conversationSetup, say } from './setup.ts';

/** "desvincular" / "cerrar sesión": the conversation's link (and the user's token) is removed. */
export const unlinking = conversationSetup.createStateConfig({
  tags: ['busy'],
  invoke: {
    src: 'unlinkIdentity',
    input: ({ context }) => ({ conversationId: context.conversationId }),
    onDone: {
      target: 'idle',
      actions: [say(({ event }) => replies.unlinked(event.output)), assign({ linkedUserId: null })],
    },
    onError: { target: 'idle', actions: say(replies.unlinkFailed) },
  },
});
