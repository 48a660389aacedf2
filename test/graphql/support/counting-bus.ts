import { createMemoryEventBus, type EventBus } from '../../../core/events/bus.ts';

export interface CountingBus extends EventBus {
  /** Listeners currently subscribed. */
  listeners(): number;
  /** Resolves once the listener count satisfies `predicate`. */
  until(predicate: (count: number) => boolean): Promise<void>;
}

/** An in-process bus that counts its listeners, to see subscriptions come and go. */
export function createCountingBus(): CountingBus {
  const bus = createMemoryEventBus();
  let count = 0;
  const waiters: { predicate: (count: number) => boolean; resolve: () => void }[] = [];
  const changed = () => {
    for (const waiter of waiters.filter((w) => w.predicate(count))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  return {
    publish: (topic, payload) => bus.publish(topic, payload),
    close: () => bus.close(),
    subscribe(topic, listener) {
      count += 1;
      changed();
      const off = bus.subscribe(topic, listener);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        count -= 1;
        off();
        changed();
      };
    },
    listeners: () => count,
    until(predicate) {
      if (predicate(count)) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ predicate, resolve }));
    },
  };
}
