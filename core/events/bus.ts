/**
 * Publish/subscribe of conversation events (transcript entries, state changes) for GraphQL
 * subscriptions. In-process by default; a Redis-backed bus spans several gateway processes.
 * Listeners must not block: a slow subscriber never holds up the runtime. Every listener of one
 * publish receives the same payload object (read-only): WebSocket subscribers use it to share one
 * execution per event (core/graphql/ws-fan-out.ts; with copies they still get everything, unshared).
 */
export interface EventBus {
  publish(topic: string, payload: unknown): void;
  subscribe(topic: string, listener: (payload: unknown) => void): () => void;
  close(): Promise<void>;
}

export const topics = {
  messages: (conversationId: string) => `conversation.messages:${conversationId}`,
  state: (conversationId: string) => `conversation.state:${conversationId}`,
  inspect: (conversationId: string) => `conversation.inspect:${conversationId}`,
  /** Every conversation's hand-off events (admin `handoffs` subscription). */
  handoffs: 'conversations.handoffs',
  /** Each new entry of the conversation's event log, as committed (operator console timeline). */
  timeline: (conversationId: string) => `conversation.timeline:${conversationId}`,
};

export function createMemoryEventBus(): EventBus {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    publish(topic, payload) {
      for (const listener of listeners.get(topic) ?? []) {
        try {
          listener(payload);
        } catch {
          // A failing subscriber must not affect the publisher or the other subscribers.
        }
      }
    },
    subscribe(topic, listener) {
      const set = listeners.get(topic) ?? new Set();
      listeners.set(topic, set);
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(topic);
      };
    },
    async close() {
      listeners.clear();
    },
  };
}
