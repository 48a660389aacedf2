import type { EventObject } from 'xstate';
import type { Reply } from '../../core/runtime/model.ts';
import type { Intent } from '../intents.ts';
import type { ConversationContext } from './types.ts';

/** References to the setup's guards and actions, shared by the states' files (no import of the setup itself). */

/** The `isIntent` guard for one intent. */
export const is = (intent: Intent) => ({ type: 'isIntent', params: { intent } }) as const;

/** The `isSurely` guard: the intent, read surely enough to leave a question, a hand-off or a wait. */
export const surely = (intent: Intent) => ({ type: 'isSurely', params: { intent } }) as const;

/** The `reply` action with its text made from context and event. */
export const say = <E extends EventObject = EventObject>(
  make: (args: { context: ConversationContext; event: E }) => Reply,
) => ({ type: 'reply', params: make }) as const;
