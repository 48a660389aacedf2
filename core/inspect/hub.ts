import type { InspectionEvent, Observer } from 'xstate';
import { type EventBus, topics } from '../events/bus.ts';
import type { Logger } from '../log.ts';
import { toRecord } from './records.ts';

const CONTROL_TOPIC = 'inspect.control';
const WATCH_TTL_MS = 60_000;

interface LiveInspector {
  inspect: Observer<InspectionEvent>;
  stop(): void;
}

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
  live?: LiveInspector;
  liveAll?: boolean;
}): InspectionHub {
  const { bus, live } = deps;
  const streamUntil = new Map<string, number>();
  const liveUntil = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const active = (map: Map<string, number>, id: string) => {
    const until = map.get(id);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    map.delete(id);
    return false;
  };

  const unsubscribe = bus.subscribe(CONTROL_TOPIC, (payload) => {
    const {
      conversationId,
      until,
      live: toLive,
    } = payload as { conversationId: string; until: number; live?: boolean };
    const map = toLive ? liveUntil : streamUntil;
    if (until > Date.now()) map.set(conversationId, until);
    else map.delete(conversationId);
  });
  const announce = (conversationId: string, until: number, toLive = false) =>
    bus.publish(CONTROL_TOPIC, { conversationId, until, live: toLive });

  return {
    observerFor(conversationId) {
      const stream = active(streamUntil, conversationId);
      const toLive = !!live && (deps.liveAll || active(liveUntil, conversationId));
      if (!stream && !toLive) return undefined;
      return (event) => {
        if (toLive) live!.inspect.next?.(event);
        if (stream) {
          const record = toRecord(conversationId, event);
          if (record) bus.publish(topics.inspect(conversationId), record);
        }
      };
    },
    watch(conversationId) {
      const renew = () => announce(conversationId, Date.now() + WATCH_TTL_MS);
      renew();
      const timer = setInterval(renew, WATCH_TTL_MS / 3);
      timer.unref();
      timers.add(timer);
      return () => {
        clearInterval(timer);
        timers.delete(timer);
        announce(conversationId, 0);
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
