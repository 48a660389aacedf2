import { randomUUID } from 'node:crypto';
import type { InspectionEvent } from 'xstate';
import { type EventBus, topics } from '../events/bus.ts';
import type { Logger } from '../log.ts';
import type { LiveInspector } from './live.ts';
import { toRecord } from './records.ts';

const CONTROL_TOPIC = 'inspect.control';
const WATCH_TTL_MS = 60_000;

export interface InspectionHub {
  /** The observer for one conversation's actors, or undefined when nobody inspects it (no cost). */
  observerFor(conversationId: string): ((event: InspectionEvent) => void) | undefined;
  /** Streams the conversation's inspection records on the bus, in every process, until stopped. */
  watch(conversationId: string): () => void;
  /** Sends the conversation to the live Stately inspector too (the admin's per-conversation switch). */
  setLive(conversationId: string, enabled: boolean): void;
  close(): void;
}

/**
 * Inspection switches: `INSPECT=1` sends every conversation to the live inspector; an admin turns
 * it on per conversation; `inspect(conversationId)` subscribers turn on server-side streaming.
 * The switches travel on the bus, so whichever process runs a conversation's turn honours them.
 */
export function createInspectionHub(deps: {
  bus: EventBus;
  logger: Logger;
  /** Names the conversation machine's state values in the records (the model's `stateName`). */
  stateName: (value: unknown) => string;
  live?: LiveInspector;
  liveAll?: boolean;
}): InspectionHub {
  const { bus, live } = deps;
  // Streaming is on while any watcher (an `inspect` subscription, in any process) has renewed it.
  const streamUntil = new Map<string, Map<string, number>>();
  const liveUntil = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const active = (map: Map<string, number>, id: string) => {
    const until = map.get(id);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    map.delete(id);
    return false;
  };
  const streaming = (id: string) => {
    const watchers = streamUntil.get(id);
    if (!watchers) return false;
    for (const watcher of watchers.keys()) active(watchers, watcher); // drops the expired ones
    if (watchers.size === 0) streamUntil.delete(id);
    return watchers.size > 0;
  };

  const unsubscribe = bus.subscribe(CONTROL_TOPIC, (payload) => {
    const {
      conversationId,
      until,
      live: toLive,
      watcher = '',
    } = payload as { conversationId: string; until: number; live?: boolean; watcher?: string };
    if (toLive) {
      if (until > Date.now()) liveUntil.set(conversationId, until);
      else liveUntil.delete(conversationId);
      return;
    }
    const watchers = streamUntil.get(conversationId) ?? new Map<string, number>();
    if (until > Date.now()) watchers.set(watcher, until);
    else watchers.delete(watcher);
    if (watchers.size > 0) streamUntil.set(conversationId, watchers);
    else streamUntil.delete(conversationId);
  });
  const announce = (conversationId: string, until: number, toLive = false, watcher?: string) =>
    bus.publish(CONTROL_TOPIC, { conversationId, until, live: toLive, ...(watcher ? { watcher } : {}) });

  return {
    observerFor(conversationId) {
      const stream = streaming(conversationId);
      const toLive = !!live && (deps.liveAll || active(liveUntil, conversationId));
      if (!stream && !toLive) return undefined;
      return (event) => {
        if (toLive) live!.send(conversationId, event);
        if (stream) {
          const record = toRecord(conversationId, event, deps.stateName);
          if (record) bus.publish(topics.inspect(conversationId), record);
        }
      };
    },
    watch(conversationId) {
      // Each watcher ends only its own streaming: another admin's subscription stays on.
      const watcher = randomUUID();
      const renew = () => announce(conversationId, Date.now() + WATCH_TTL_MS, false, watcher);
      renew();
      const timer = setInterval(renew, WATCH_TTL_MS / 3);
      timer.unref();
      timers.add(timer);
      return () => {
        clearInterval(timer);
        timers.delete(timer);
        announce(conversationId, 0, false, watcher);
      };
    },
    setLive(conversationId, enabled) {
      if (!live) deps.logger.warn({ conversationId }, 'live inspection asked for, but no inspector is configured');
      announce(conversationId, enabled ? Date.now() + 24 * 3600_000 : 0, true);
    },
    close() {
      for (const timer of timers) clearInterval(timer);
      unsubscribe();
      live?.stop();
    },
  };
}
