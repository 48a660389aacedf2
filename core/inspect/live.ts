import { createWebSocketInspector } from '@statelyai/inspect';
import type { ActorRefLike, InspectionEvent } from 'xstate';
import { sanitizeContext, sanitizeEvent } from './sanitize.ts';

export interface LiveInspector {
  /** Sends one conversation's inspection event to the inspector. */
  send(conversationId: string, event: InspectionEvent): void;
  stop(): void;
}

/**
 * The live Stately inspector over WebSocket (the bridge `npm run inspector` runs). Events are
 * sanitized before they leave the process; while the bridge is down they are held (bounded) and
 * sent when it comes up.
 */
export async function connectLiveInspector(url: string): Promise<LiveInspector> {
  const inspector = createWebSocketInspector({
    url,
    // Invoked promise actors (startWorkflow, findEquipment) have no context: pass it through as is.
    sanitizeContext: (context) =>
      context && typeof context === 'object' ? sanitizeContext(context as Record<string, unknown>) : context,
    sanitizeEvent: (event) => sanitizeEvent(event) as typeof event,
    maxDeferredEvents: 500,
  });
  return {
    send: (conversationId, event) => inspector.inspect.next?.(scopeToConversation(conversationId, event)),
    stop: () => inspector.stop(),
  };
}

/**
 * Every turn runs in a fresh actor system, so session ids (`x:0`, …) repeat across conversations and
 * change across turns; re-keyed, each conversation's machine is one actor in the inspector, keyed by
 * the conversation id, with its invoked actors under it.
 */
export function scopeToConversation(conversationId: string, event: InspectionEvent): InspectionEvent {
  const scope = (ref: ActorRefLike | undefined): ActorRefLike | undefined => {
    if (!ref) return undefined;
    const parent = (ref as { _parent?: ActorRefLike })._parent;
    return Object.create(ref, {
      sessionId: { value: parent ? `${conversationId}/${ref.sessionId}` : conversationId },
      // The inspector names an actor whose id equals its session id after its machine (`conversation`).
      id: { value: parent ? (ref as { id?: string }).id : conversationId },
      _parent: { value: scope(parent) },
    }) as ActorRefLike;
  };
  const scoped = { ...event, actorRef: scope(event.actorRef)!, rootId: conversationId };
  if ('sourceRef' in event && event.sourceRef)
    return { ...scoped, sourceRef: scope(event.sourceRef) } as InspectionEvent;
  return scoped as InspectionEvent;
}
