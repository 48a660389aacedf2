/**
 * Publish/subscribe of conversation events (transcript entries, state changes) for GraphQL
 * subscriptions. In-process by default; a Redis-backed bus spans several gateway processes.
 * Listeners must not block: a slow subscriber never holds up the runtime. Every listener of one
 * publish receives the same payload object (read-only): WebSocket subscribers use it to share one
 * execution per event (core/graphql/ws-fan-out.ts; with copies they still get everything, unshared).
 */
export interface EventBus {
  publish(topic: string, payload: unknown): void;
  /**
   * Publishes several events at once, in order, as `publish` would one by one (a Redis bus sends them
   * in one command). Optional: `publishAll` below falls back to `publish`.
   */
  publishAll?(events: readonly BusEvent[]): void;
  subscribe(topic: string, listener: (payload: unknown) => void): () => void;
  close(): Promise<void>;
}

/** One event to publish: its topic and payload. */
export type BusEvent = readonly [topic: string, payload: unknown];

/** Publishes the events in order: at once where the bus can, else one by one. */
export function publishAll(bus: EventBus, events: readonly BusEvent[]): void {
  if (events.length === 0) return;
  if (bus.publishAll && events.length > 1) {
    bus.publishAll(events);
    return;
  }
  for (const [topic, payload] of events) bus.publish(topic, payload);
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
