import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryEventBus, type EventBus } from '../../core/events/bus.ts';
import { MESSAGES, openWsClient, STATE, startConversation, subscribe } from './support/clients.ts';
import { startHarness } from './support/harness.ts';

/** A bus that cannot subscribe: its `ready()` fails as the Redis bus's does while Redis is unreachable. */
function unreachableBus(): EventBus & { ready(): Promise<void>; listeners(): number } {
  const bus = createMemoryEventBus();
  let listeners = 0;
  return {
    ...bus,
    subscribe(topic, listener) {
      listeners++;
      const off = bus.subscribe(topic, listener);
      return () => {
        listeners--;
        off();
      };
    },
    async ready() {
      const cause = Object.assign(new Error('Reached the max retries per request limit'), {
        name: 'MaxRetriesPerRequestError',
      });
      throw new Error('the event bus is not subscribed', { cause });
    },
    listeners: () => listeners,
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function harnessWithUnreachableBus() {
  const bus = unreachableBus();
  const harness = await startHarness({ bus });
  close = harness.close;
  return { ...harness, bus, session: await startConversation(harness.url) };
}

describe('a subscription while the event bus cannot subscribe (Redis unreachable)', () => {
  it.each([
    ['messages', MESSAGES],
    ['conversationState', STATE],
  ])('refuses %s over SSE with 503, Retry-After and UNAVAILABLE, not an empty stream', async (_name, query) => {
    const { url, bus, session } = await harnessWithUnreachableBus();
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: `Bearer ${session.token}`,
      },
      body: JSON.stringify({ query, variables: { id: session.conversationId } }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await response.text()).toContain('"code":"UNAVAILABLE"');
    expect(bus.listeners()).toBe(0);
  });

  it('refuses it over WebSocket with an UNAVAILABLE error', async () => {
    const { url, bus, session } = await harnessWithUnreachableBus();
    const ws = openWsClient(url, session.token);
    const subscription = subscribe(ws.client, MESSAGES, { id: session.conversationId }, 'messages');
    await subscription.ended;
    expect(JSON.stringify(subscription.errors)).toContain('UNAVAILABLE');
    expect(subscription.events).toEqual([]);
    expect(bus.listeners()).toBe(0);
    await ws.client.dispose();
  });
});
