import { describe, expect, it } from 'vitest';
import { topics } from '../../core/events/bus.ts';
import { MESSAGES, type MessageEvent, type Subscription, startConversation, subscribe } from './support/clients.ts';
import { client, harness } from './support/closed-after-each.ts';
import { createCountingBus } from './support/counting-bus.ts';
import { ADMIN_TOKEN } from './support/stub-services.ts';

const TEXTS_ONLY = 'subscription Texts($id: ID!) { messages(conversationId: $id) { text } }';

/** Publishes messages `from..to` (their `at` is their number) and waits until `watcher` has the last one. */
async function publish(
  bus: { publish(topic: string, payload: unknown): void },
  conversationId: string,
  range: [from: number, to: number],
  watcher: Subscription<MessageEvent>,
) {
  for (let i = range[0]; i <= range[1]; i++) {
    bus.publish(topics.messages(conversationId), { conversationId, direction: 'out', text: `m${i}`, at: String(i) });
  }
  await watcher.next((m) => m.at === String(range[1]));
}

/** Waits until every subscription is live: probe messages (until one reached them all). */
async function untilLive(
  bus: { publish(topic: string, payload: unknown): void },
  conversationId: string,
  subscriptions: Subscription<{ text: string }>[],
) {
  const all = Promise.all(subscriptions.map((s) => s.next((m) => m.text === 'probe')));
  let live = false;
  void all.then(() => {
    live = true;
  });
  for (let i = 0; !live && i < 500; i++) {
    bus.publish(topics.messages(conversationId), { conversationId, direction: 'out', text: 'probe', at: 'probe' });
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await all;
}

/** The `at` of the messages received, without the probes. */
const received = (subscription: Subscription<MessageEvent>) =>
  subscription.events.filter((m) => m.at !== 'probe').map((m) => m.at);

describe('WebSocket subscription fan-out', () => {
  it('gives every identical subscriber every message once, in order, from one shared execution', async () => {
    const bus = createCountingBus();
    const { url, graphql } = await harness({ bus });
    const { conversationId, token } = await startConversation(url);
    const sockets = [client(url, token), client(url, token), client(url, token)];
    const same = sockets.map((c) => subscribe<MessageEvent>(c.client, MESSAGES, { id: conversationId }, 'messages'));
    // Another selection set on one of those sockets: its own execution.
    const texts = subscribe<MessageEvent>(sockets[0]!.client, TEXTS_ONLY, { id: conversationId }, 'messages');
    await untilLive(bus, conversationId, [...same, texts]);
    expect(graphql.ws.fanOutGroups()).toBe(2);

    await publish(bus, conversationId, [1, 30], same[2]!);
    await texts.next((m) => m.text === 'm30');
    await Promise.all(same.map((s) => s.next((m) => m.at === '30')));
    const expected = Array.from({ length: 30 }, (_, i) => `m${i + 1}`);
    for (const s of same) {
      expect(s.events.filter((m) => m.at !== 'probe').map((m) => m.text)).toEqual(expected);
      expect(s.events.at(-1)).toMatchObject({ conversationId, direction: 'OUT', buttons: [] });
    }
    expect(texts.events.filter((m) => m.text !== 'probe')).toEqual(expected.map((text) => ({ text })));
  });

  it('never shares between different principals: the admin and the conversation’s token each get their own', async () => {
    const bus = createCountingBus();
    const { url, graphql } = await harness({ bus, adminToken: ADMIN_TOKEN });
    const { conversationId, token } = await startConversation(url);
    const other = await startConversation(url);
    const own = subscribe<MessageEvent>(client(url, token).client, MESSAGES, { id: conversationId }, 'messages');
    const admin = subscribe<MessageEvent>(
      client(url, ADMIN_TOKEN).client,
      MESSAGES,
      { id: conversationId },
      'messages',
    );
    // Same operation, another token: refused by its own access check, as without sharing.
    const intruder = subscribe(client(url, other.token).client, MESSAGES, { id: conversationId }, 'messages');
    await intruder.ended;
    expect(intruder.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);

    await untilLive(bus, conversationId, [own, admin]);
    expect(graphql.ws.fanOutGroups()).toBe(2);
    await publish(bus, conversationId, [1, 3], own);
    await admin.next((m) => m.at === '3');
    expect(received(own)).toEqual(['1', '2', '3']);
    expect(received(admin)).toEqual(['1', '2', '3']);
  });

  it('keeps delivering to the others when a subscriber completes or goes away, and ends the group with the last', async () => {
    const bus = createCountingBus();
    const { url, graphql } = await harness({ bus });
    const { conversationId, token } = await startConversation(url);
    const stays = subscribe<MessageEvent>(client(url, token).client, MESSAGES, { id: conversationId }, 'messages');
    const completes = subscribe<MessageEvent>(client(url, token).client, MESSAGES, { id: conversationId }, 'messages');
    const vanishing = client(url, token);
    const vanishes = subscribe<MessageEvent>(vanishing.client, MESSAGES, { id: conversationId }, 'messages');
    await untilLive(bus, conversationId, [stays, completes, vanishes]);
    expect(bus.listeners()).toBe(3); // one bus stream per subscriber: each keeps its own flow control

    await publish(bus, conversationId, [1, 2], completes);
    completes.dispose();
    (await vanishing.socket).terminate();
    await bus.until((count) => count === 1);
    await publish(bus, conversationId, [3, 4], stays);
    expect(received(stays)).toEqual(['1', '2', '3', '4']);
    expect(received(completes)).toEqual(['1', '2']);

    // A subscriber joining later gets what is published from then on.
    const late = subscribe<MessageEvent>(client(url, token).client, MESSAGES, { id: conversationId }, 'messages');
    await untilLive(bus, conversationId, [stays, late]);
    await publish(bus, conversationId, [5, 5], late);
    expect(received(late)).toEqual(['5']);
    expect(graphql.ws.fanOutGroups()).toBe(1);

    stays.dispose();
    late.dispose();
    await bus.until((count) => count === 0);
    expect(graphql.ws.fanOutGroups()).toBe(0);
  });
});
