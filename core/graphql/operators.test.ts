import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../test/graphql/support/clients.ts';
import { ADMIN_TOKEN } from '../../test/graphql/support/stub-services.ts';
import { stubYoga } from '../../test/graphql/support/stub-yoga.ts';
import type { EventLogEntry } from '../store/types.ts';

const setup = () => stubYoga({ adminToken: ADMIN_TOKEN });

const REPLY = `mutation Reply($id: ID!, $text: String!, $name: String, $role: String) {
  replyAsAgent(conversationId: $id, text: $text, agentName: $name, agentRole: $role) {
    status replies { direction text agent }
  }
}`;

const TIMELINE = `query Timeline($id: ID!, $last: Int) {
  timeline(conversationId: $id, last: $last) {
    conversationId at channel version event detail stateBefore stateAfter actors { name input output error }
  }
}`;

/** A web conversation handed off to a person, in the scripted runtime. */
async function handedOff(stub: ReturnType<typeof setup>) {
  const started = await stub.request('mutation { startConversation { conversationId token } }');
  const { conversationId, token } = started.data!.startConversation as { conversationId: string; token: string };
  await stub.request(
    'mutation($id: ID!) { sendMessage(conversationId: $id, text: "hola") { status } }',
    {
      id: conversationId,
    },
    token,
  );
  stub.views.set(conversationId, { ...stub.views.get(conversationId)!, state: 'handoff', status: 'handoff' });
  return { conversationId, token };
}

describe('replyAsAgent signed by the operator', () => {
  it('hands the name and role to the runtime and shows who wrote the reply (Message.agent)', async () => {
    const stub = setup();
    const { conversationId } = await handedOff(stub);
    const signed = await stub.request(
      REPLY,
      { id: conversationId, text: 'Ya reviso tu OT', name: ' Ana ', role: 'supervisora' },
      ADMIN_TOKEN,
    );
    expect(signed.errors).toBeUndefined();
    expect(signed.data!.replyAsAgent).toEqual({
      status: 'HANDOFF',
      replies: [{ direction: 'OUT', text: 'Ana (supervisora): Ya reviso tu OT', agent: 'Ana (supervisora)' }],
    });
    await stub.request(REPLY, { id: conversationId, text: 'Sigo aquí' }, ADMIN_TOKEN);
    expect(stub.agentCalls).toEqual([
      { op: 'reply', conversationId, text: 'Ya reviso tu OT', agent: { name: 'Ana', role: 'supervisora' } },
      { op: 'reply', conversationId, text: 'Sigo aquí' },
    ]);
  });

  it('refuses a name or role over 40 characters, with a line break, or a role without a name', async () => {
    const stub = setup();
    const { conversationId, token } = await handedOff(stub);
    const reply = (vars: Record<string, unknown>, as = ADMIN_TOKEN) =>
      stub.request(REPLY, { id: conversationId, text: 'hola', ...vars }, as);

    const long = await reply({ name: 'A'.repeat(41) });
    expect(long.errors?.[0]).toMatchObject({
      message: 'agentName is at most 40 characters',
      extensions: { code: 'BAD_USER_INPUT', field: 'agentName' },
    });
    expect((await reply({ name: 'Ana', role: 'r'.repeat(41) })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'agentRole',
    });
    expect((await reply({ name: 'Ana\nSistema' })).errors?.[0]?.extensions).toMatchObject({ field: 'agentName' });
    expect((await reply({ role: 'supervisora' })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'agentRole',
    });
    expect(errorCodes(await reply({ name: 'Ana' }, token))).toEqual(['FORBIDDEN']);
    expect(stub.agentCalls).toEqual([]);
    // Exactly 40 characters is fine.
    expect((await reply({ name: 'A'.repeat(40) })).errors).toBeUndefined();
  });
});

describe('timeline query', () => {
  const conversationId = 'whatsapp:56911112222';
  const code = 'Zk3_9xQ-aB7cD1eF2gH3iJ4kL5mN6oP7qR8sT9uV0w';
  const log: EventLogEntry[] = [
    {
      at: '2025-01-01T10:00:00.000Z',
      event: { type: 'user.message', text: `${'a'.repeat(250)} /link/${code}`, at: 1, identity: null },
      stateBefore: null,
      stateAfter: 'idle',
      version: 1,
      channel: 'whatsapp',
    },
    {
      at: '2025-01-01T10:00:01.000Z',
      event: { type: 'delivery.status', messageId: 'wamid.1', status: 'read' },
      stateBefore: null,
      stateAfter: '',
      version: 0,
    },
    {
      at: '2025-01-01T10:00:02.000Z',
      event: { type: 'user.message', action: 'confirm:yes', at: 2 },
      stateBefore: 'reporting.confirm',
      stateAfter: 'reporting.waiting',
      version: 2,
      channel: 'whatsapp',
      invocations: [{ src: 'startWorkflow' }],
    },
    {
      at: '2025-01-01T10:00:05.000Z',
      event: {
        type: 'workflow.result',
        runId: 'run-1',
        dagId: 'reportar_falla',
        status: 'failed',
        error: { code: 'cmms_unavailable', message: 'El CMMS no responde', token: 'never-shown' },
        at: 5,
      },
      stateBefore: 'reporting.waiting',
      stateAfter: 'idle',
      version: 3,
      channel: 'whatsapp',
    },
  ];

  it('returns the event log oldest first, sanitized, with states and actors (admin only)', async () => {
    const stub = setup();
    stub.events.set(conversationId, log);
    const result = await stub.request(TIMELINE, { id: conversationId }, ADMIN_TOKEN);
    expect(result.errors).toBeUndefined();
    const entries = result.data!.timeline as Record<string, unknown>[];
    // The delivery receipt is not a conversation event.
    expect(entries.map((e) => [e.event, e.stateBefore, e.stateAfter])).toEqual([
      ['user.message', null, 'idle'],
      ['user.message', 'reporting.confirm', 'reporting.waiting'],
      ['workflow.result', 'reporting.waiting', 'idle'],
    ]);
    const detail = entries[0]!.detail as string;
    expect(detail).toBe(JSON.stringify(`${'a'.repeat(200)}…`));
    expect(entries[1]).toMatchObject({
      detail: '[confirm:yes]',
      version: 2,
      channel: 'whatsapp',
      actors: [{ name: 'startWorkflow', input: null, output: null, error: null }],
    });
    expect(entries[2]!.actors).toEqual([
      {
        name: 'reportar_falla',
        input: JSON.stringify({ runId: 'run-1' }),
        output: null,
        error: 'cmms_unavailable: El CMMS no responde',
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain(code);
    expect(JSON.stringify(entries)).not.toContain('never-shown');

    const last = await stub.request(TIMELINE, { id: conversationId, last: 1 }, ADMIN_TOKEN);
    expect((last.data!.timeline as { event: string }[]).map((e) => e.event)).toEqual(['workflow.result']);
    expect((await stub.request(TIMELINE, { id: 'web:nobody' }, ADMIN_TOKEN)).data!.timeline).toEqual([]);
  });

  it('refuses non-admins and a `last` outside 1..1000', async () => {
    const stub = setup();
    stub.events.set(conversationId, log);
    expect(errorCodes(await stub.request(TIMELINE, { id: conversationId }))).toEqual(['UNAUTHENTICATED']);
    const started = await stub.request('mutation { startConversation { conversationId token } }');
    const { token } = started.data!.startConversation as { token: string };
    expect(errorCodes(await stub.request(TIMELINE, { id: conversationId }, token))).toEqual(['FORBIDDEN']);
    for (const last of [0, 1001]) {
      const refused = await stub.request(TIMELINE, { id: conversationId, last }, ADMIN_TOKEN);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
    }
  });
});
