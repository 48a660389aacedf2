import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import {
  errorCodes,
  type MessageEvent,
  openWsClient,
  postGraphql,
  SEND,
  STATE,
  startConversation,
  subscribe,
} from './support/clients.ts';
import {
  HANDOFFS,
  type HandoffEventData,
  RELEASE,
  REPLY_AS_AGENT,
  TIMELINE,
  TIMELINE_LIVE,
  type TimelineEntryData,
} from './support/operators.ts';

/**
 * The operators' API on a real gateway (embedded runtime, demo CMMS, in-process workflows): the
 * `handoffs` subscription through a whole hand-off, signed replies, the timeline (query and live).
 */
const ADMIN_TOKEN = 'operators-test-admin-token';

let gateway: Gateway;
beforeAll(async () => {
  // Reports without linking a CMMS account first (the link flow has tests of its own).
  gateway = await startGateway({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN,
    IDENTITY_REQUIRED: 'none',
  });
});
afterAll(async () => {
  await gateway?.stop();
});

/** A web user of the gateway: sends texts and pressed buttons, returns the turn's replies. */
async function webUser() {
  const { conversationId, token } = await startConversation(gateway.url);
  const send = async (vars: { text?: string; action?: string }) => {
    const result = await postGraphql<{
      sendMessage: { status: string; replies: { text: string; buttons: { id: string }[] }[] };
    }>(gateway.url, SEND, { id: conversationId, ...vars }, token);
    expect(result.errors).toBeUndefined();
    return result.data!.sendMessage;
  };
  return { conversationId, token, say: (text: string) => send({ text }), press: (action: string) => send({ action }) };
}

/** The admin's socket with `query` subscribed; live once a state subscription opened after it answered. */
async function adminWatching<T>(query: string, variables: Record<string, unknown>, field: string, stateOf: string) {
  const ws = openWsClient(gateway.url, ADMIN_TOKEN);
  const watched = subscribe<T>(ws.client, query, variables, field);
  await subscribe(ws.client, STATE, { id: stateOf }, 'conversationState').next();
  return { ws, watched };
}

/** The admin following every hand-off (live once `conversationId`'s state subscription answered). */
const watchHandoffs = (conversationId: string) =>
  adminWatching<HandoffEventData>(HANDOFFS, {}, 'handoffs', conversationId);

/** The admin following one conversation's timeline live. */
const watchTimeline = (conversationId: string) =>
  adminWatching<TimelineEntryData>(TIMELINE_LIVE, { id: conversationId }, 'timeline', conversationId);

/** Matches the hand-off event of this kind for this conversation. */
const handoffEvent = (conversationId: string, kind: HandoffEventData['kind']) => (event: HandoffEventData) =>
  event.conversationId === conversationId && event.kind === kind;

/** The kinds of the hand-off events seen for one conversation, in order. */
const kindsFor = (events: HandoffEventData[], conversationId: string) =>
  events.filter((event) => event.conversationId === conversationId).map((event) => event.kind);

/** The stored timeline, read by the admin (the `last` entries when given). */
const readTimeline = (conversationId: string, last?: number) =>
  postGraphql<{ timeline: TimelineEntryData[] }>(
    gateway.url,
    TIMELINE,
    last === undefined ? { id: conversationId } : { id: conversationId, last },
    ADMIN_TOKEN,
  );

describe('handoffs subscription (admin)', () => {
  it('follows a hand-off: started, the user’s message, a signed reply, ended', async () => {
    const user = await webUser();
    const { ws, watched } = await watchHandoffs(user.conversationId);
    const mine = (kind: HandoffEventData['kind']) => handoffEvent(user.conversationId, kind);
    try {
      expect((await user.say('quiero hablar con una persona')).status).toBe('HANDOFF');
      const started = await watched.next(mine('STARTED'));
      expect(started).toMatchObject({
        channel: 'web',
        status: 'HANDOFF',
        message: { direction: 'IN', text: 'quiero hablar con una persona', agent: null },
      });

      await user.say('La excavadora CAT-001 no arranca');
      const wrote = await watched.next(mine('USER_MESSAGE'));
      expect(wrote).toMatchObject({
        status: 'HANDOFF',
        message: { direction: 'IN', text: 'La excavadora CAT-001 no arranca' },
      });

      const reply = await postGraphql<{ replyAsAgent: { replies: MessageEvent[] } }>(
        gateway.url,
        REPLY_AS_AGENT,
        { id: user.conversationId, text: 'Ya reviso tu equipo', name: 'Ana', role: 'supervisora' },
        ADMIN_TOKEN,
      );
      expect(reply.errors).toBeUndefined();
      expect(reply.data!.replyAsAgent.replies).toMatchObject([
        { direction: 'OUT', text: 'Ana (supervisora): Ya reviso tu equipo', agent: 'Ana (supervisora)' },
      ]);
      const answered = await watched.next(mine('AGENT_MESSAGE'));
      expect(answered).toMatchObject({
        status: 'HANDOFF',
        message: { direction: 'OUT', text: 'Ana (supervisora): Ya reviso tu equipo', agent: 'Ana (supervisora)' },
      });

      const released = await postGraphql(gateway.url, RELEASE, { id: user.conversationId }, ADMIN_TOKEN);
      expect(released.errors).toBeUndefined();
      const ended = await watched.next(mine('ENDED'));
      expect(ended).toMatchObject({ status: 'IDLE', message: null });
      expect(kindsFor(watched.events, user.conversationId)).toEqual([
        'STARTED',
        'USER_MESSAGE',
        'AGENT_MESSAGE',
        'ENDED',
      ]);

      // The stored transcript keeps who answered.
      const read = await postGraphql<{ conversation: { messages: { text: string; agent: string | null }[] } }>(
        gateway.url,
        'query($id: ID!) { conversation(id: $id) { messages { text agent } } }',
        { id: user.conversationId },
        user.token,
      );
      expect(read.data!.conversation.messages).toContainEqual({
        text: 'Ana (supervisora): Ya reviso tu equipo',
        agent: 'Ana (supervisora)',
      });
    } finally {
      await ws.client.dispose();
    }
  });

  it('ends when the user goes back to the menu, and says nothing of conversations never handed off', async () => {
    const user = await webUser();
    const other = await webUser();
    const { ws, watched } = await watchHandoffs(user.conversationId);
    try {
      await other.say('hola');
      await user.say('quiero hablar con una persona');
      await watched.next(handoffEvent(user.conversationId, 'STARTED'));
      expect((await user.say('menú')).status).not.toBe('HANDOFF');
      const ended = await watched.next(handoffEvent(user.conversationId, 'ENDED'));
      expect(ended.status).not.toBe('HANDOFF');
      expect(kindsFor(watched.events, user.conversationId)).toEqual(['STARTED', 'USER_MESSAGE', 'ENDED']);
      expect(watched.events.some((e) => e.conversationId === other.conversationId)).toBe(false);
    } finally {
      await ws.client.dispose();
    }
  });

  it('ends when an admin erases a conversation that waits for a person', async () => {
    const user = await webUser();
    const { ws, watched } = await watchHandoffs(user.conversationId);
    try {
      await user.say('quiero hablar con una persona');
      await watched.next(handoffEvent(user.conversationId, 'STARTED'));
      await gateway.runtime.erase(user.conversationId);
      const ended = await watched.next(handoffEvent(user.conversationId, 'ENDED'));
      expect(ended.status).toBe('IDLE');
    } finally {
      await ws.client.dispose();
    }
  });

  it('refuses a conversation token', async () => {
    const user = await webUser();
    const ws = openWsClient(gateway.url, user.token);
    try {
      const handoffs = subscribe(ws.client, HANDOFFS, {}, 'handoffs');
      await handoffs.ended;
      expect(handoffs.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
      const timeline = subscribe(ws.client, TIMELINE_LIVE, { id: user.conversationId }, 'timeline');
      await timeline.ended;
      expect(timeline.errors).toMatchObject([{ extensions: { code: 'FORBIDDEN' } }]);
    } finally {
      await ws.client.dispose();
    }
    expect(errorCodes(await postGraphql(gateway.url, TIMELINE, { id: user.conversationId }, user.token))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await postGraphql(gateway.url, TIMELINE, { id: user.conversationId }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});

describe('timeline (admin)', () => {
  it('shows a failure report turn by turn: states before and after, the actors and the workflow’s answer', async () => {
    const user = await webUser();
    const live = await watchTimeline(user.conversationId);
    try {
      await user.say('reportar falla');
      await user.say('CAT-001');
      await user.say('Fuga de aceite hidráulico en el brazo principal');
      await user.press('priority:alta');
      await user.press('confirm:yes');
      const answered = await live.watched.next((entry) => entry.event === 'workflow.result');
      expect(answered.actors).toMatchObject([{ name: 'reportar_falla', error: null }]);
      expect(answered.actors[0]!.output).toMatch(/OT-CORR-/);

      const result = await readTimeline(user.conversationId);
      expect(result.errors).toBeUndefined();
      const timeline = result.data!.timeline;
      // Oldest first, one entry per turn, each version once; live saw the same entries.
      expect(timeline.map((entry) => entry.version)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(live.watched.events.map((entry) => entry.version)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(timeline.at(-1)).toEqual(answered);
      expect(timeline[0]).toMatchObject({
        event: 'user.message',
        detail: '"reportar falla"',
        channel: 'web',
        stateBefore: null,
      });
      expect(timeline[1]!.actors.map((actor) => actor.name)).toContain('findEquipment');
      expect(timeline[1]!.actors.find((actor) => actor.name === 'findEquipment')!.output).toContain('CAT-001');
      const confirmed = timeline[4]!;
      expect(confirmed).toMatchObject({ event: 'user.message', detail: '[confirm:yes]' });
      expect(confirmed.actors).toEqual([{ name: 'startWorkflow', input: null, output: null, error: null }]);
      expect(confirmed.stateBefore).not.toBe(confirmed.stateAfter);
      expect(answered.stateBefore).toBe(confirmed.stateAfter);
      for (const entry of timeline) expect(entry.stateAfter).not.toBe('');

      const last = await readTimeline(user.conversationId, 2);
      expect(last.data!.timeline.map((entry) => entry.version)).toEqual([5, 6]);
    } finally {
      await live.ws.client.dispose();
    }
  });

  it('streams the next turn’s entry live, user texts cut at 200 characters', async () => {
    const user = await webUser();
    await user.say('hola');
    const live = await watchTimeline(user.conversationId);
    try {
      const long = `consulta ${'x'.repeat(300)}`;
      await user.say(long);
      const entry = await live.watched.next();
      expect(entry).toMatchObject({ conversationId: user.conversationId, event: 'user.message', version: 2 });
      expect(entry.detail).toBe(JSON.stringify(`${long.slice(0, 200)}…`));
      expect(entry.stateBefore).not.toBeNull();
    } finally {
      await live.ws.client.dispose();
    }
  });
});

describe('REST agent replies signed by the operator', () => {
  it('takes agent_name and agent_role, and refuses them over 40 characters', async () => {
    const user = await webUser();
    await user.say('quiero hablar con una persona');
    const reply = (body: Record<string, unknown>) =>
      fetch(`${gateway.url}/admin/conversations/${encodeURIComponent(user.conversationId)}/reply`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const long = await reply({ text: 'hola', agent_name: 'A'.repeat(41) });
    expect(long.status).toBe(400);
    expect(await long.json()).toMatchObject({
      error: 'invalid_request',
      message: 'agent_name is at most 40 characters',
    });
    expect((await reply({ text: 'hola', agent_role: 'supervisor' })).status).toBe(400);

    const signed = await reply({ text: 'Te llamo en 5 minutos', agent_name: 'Luis', agent_role: 'jefe de turno' });
    expect(signed.status).toBe(200);
    expect(((await signed.json()) as { replies: { text: string; agent?: string }[] }).replies).toMatchObject([
      { text: 'Luis (jefe de turno): Te llamo en 5 minutos', agent: 'Luis (jefe de turno)' },
    ]);
  });
});
