import type { InspectionEvent } from 'xstate';
import { sanitizeContext, sanitizeEvent } from './sanitize.ts';

/** One inspection event of a conversation, as streamed to admins (`inspect` subscription). */
export interface InspectionRecord {
  conversationId: string;
  at: string;
  kind: 'actor' | 'event' | 'snapshot' | 'action';
  actorId: string;
  /** For `actor`: what was started (the machine, or an invoked actor such as `startWorkflow`). */
  src?: string;
  event?: Record<string, unknown>;
  state?: string;
  status?: string;
  action?: string;
  context?: Record<string, unknown>;
}

/**
 * Converts an XState inspection event; microsteps and internal noise give null. `stateName` names a
 * state value (the conversation model's).
 */
export function toRecord(
  conversationId: string,
  event: InspectionEvent,
  stateName: (value: unknown) => string,
): InspectionRecord | null {
  const base = { conversationId, at: new Date().toISOString(), actorId: event.actorRef.sessionId };
  switch (event.type) {
    case '@xstate.actor': {
      const src = (event.actorRef as { src?: unknown }).src;
      return { ...base, kind: 'actor', src: typeof src === 'string' ? src : 'conversation' };
    }
    case '@xstate.event':
      return { ...base, kind: 'event', event: sanitizeEvent(event.event as Record<string, unknown>) };
    case '@xstate.snapshot': {
      const snapshot = event.snapshot as { value?: unknown; status?: string; context?: Record<string, unknown> };
      return {
        ...base,
        kind: 'snapshot',
        ...(snapshot.value !== undefined ? { state: stateName(snapshot.value) } : {}),
        ...(snapshot.status ? { status: snapshot.status } : {}),
        ...(snapshot.context && 'conversationId' in snapshot.context
          ? { context: sanitizeContext(snapshot.context) }
          : {}),
      };
    }
    case '@xstate.action': {
      const { type, params } = event.action as { type: string; params?: { event?: { type?: unknown } } };
      // XState reports a named action made of a built-in by the built-in's type: the machine's `reply`
      // is an `emit`, seen as `xstate.emit`; name it by the event it emits.
      if (type === 'xstate.emit') {
        const emitted = params?.event?.type;
        return typeof emitted === 'string' ? { ...base, kind: 'action', action: emitted } : null;
      }
      if (type.startsWith('xstate.')) return null;
      return { ...base, kind: 'action', action: type };
    }
    default:
      return null;
  }
}
