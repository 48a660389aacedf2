import { createWebSocketInspector } from '@statelyai/inspect';
import { sanitizeContext, sanitizeEvent } from './sanitize.ts';

/**
 * The live Stately inspector over WebSocket (the bridge `npm run inspector` runs). Events are
 * sanitized before they leave the process; while the bridge is down they are held (bounded) and
 * sent when it comes up.
 */
export async function connectLiveInspector(url: string) {
  const inspector = createWebSocketInspector({
    url,
    sanitizeContext: (context) => sanitizeContext(context as Record<string, unknown>),
    sanitizeEvent: (event) => sanitizeEvent(event) as typeof event,
    maxDeferredEvents: 500,
  });
  return { inspect: inspector.inspect, stop: () => inspector.stop() };
}
