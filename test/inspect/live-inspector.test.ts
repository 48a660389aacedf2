import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { createInspectorServer } from '@statelyai/inspect/server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { webClient } from '../support/web-client.ts';

/**
 * Live inspection with the Stately inspector: the gateway sends its actors' inspection events to the
 * bridge (`npm run inspector`, i.e. `createInspectorServer`), which relays them to the browser tab
 * running the inspector UI. Here the "browser" is a plain WebSocket client of the bridge.
 */
const ADMIN_TOKEN = `admin-${randomUUID()}`;

/** A Stately inspection event as the bridge relays it. */
interface StatelyEvent {
  type: '@xstate.actor' | '@xstate.event' | '@xstate.snapshot';
  sessionId: string;
  parentId?: string;
  name?: string;
  event?: { type: string; text?: string; [key: string]: unknown };
  snapshot?: { value?: unknown; status?: string; context?: { conversationId?: string; [key: string]: unknown } };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The inspector bridge on a free port, and a "browser" connected to it that collects what it relays. */
async function startBridge() {
  const port = await freePort();
  const bridge = createInspectorServer({ port, autoOpen: false });
  const url = `ws://127.0.0.1:${port}`;
  const received: StatelyEvent[] = [];
  let browser: WebSocket | undefined;
  await until(
    () =>
      new Promise<boolean>((resolve) => {
        const socket = new WebSocket(url);
        socket.once('open', () => {
          browser = socket;
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
    `the inspector bridge on ${url}`,
  );
  browser!.on('message', (data) => received.push(JSON.parse(String(data)) as StatelyEvent));
  cleanups.push(() => bridge.stop());
  cleanups.push(() => browser!.close());
  return { url, received };
}

async function gateway(env: Record<string, string>): Promise<Gateway> {
  const started = await startGateway(
    { LOG_LEVEL: 'silent', ADMIN_TOKEN, IDENTITY_REQUIRED: 'none', ...env },
    { port: 0, host: '127.0.0.1' },
  );
  cleanups.push(() => started.stop());
  return started;
}

const userMessages = (received: StatelyEvent[]) =>
  received.filter((e) => e.type === '@xstate.event' && e.event?.type === 'user.message').map((e) => e.event!.text);

const admin = (url: string, path: string, body?: unknown, token = ADMIN_TOKEN) =>
  fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('live inspection with the Stately inspector (INSPECT / INSPECT_URL)', () => {
  it('with INSPECT=1 sends every conversation’s actors to the inspector, sanitized', async () => {
    const bridge = await startBridge();
    const gw = await gateway({ INSPECT: '1', INSPECT_URL: bridge.url });
    const client = webClient(gw.url);
    const user = `live-${randomUUID().slice(0, 8)}`;
    const conversationId = `web:${user}`;

    expect((await client.send(user, 'hola')).replies[0]?.text).toMatch(/^¡Hola!/);
    await until(() => userMessages(bridge.received).includes('hola'), 'the user message at the inspector');
    const root = bridge.received.find(
      (e) => e.type === '@xstate.actor' && e.snapshot?.context?.conversationId === conversationId,
    );
    expect(root).toBeDefined();
    // Each conversation is one actor in the inspector, keyed by its id (turns run in fresh systems).
    expect(root).toMatchObject({ name: 'conversation', sessionId: conversationId });
    await until(
      () =>
        bridge.received.some(
          (e) => e.type === '@xstate.snapshot' && e.event?.type === 'user.message' && e.snapshot?.value === 'idle',
        ),
      'the snapshot after the message',
    );
    // The context leaves the process sanitized: candidate equipment as a count, not the list.
    const snapshot = bridge.received.find((e) => e.type === '@xstate.snapshot' && e.event?.type === 'user.message');
    expect(snapshot?.snapshot?.context).toMatchObject({ conversationId, candidates: 0 });

    // User texts are cut at 200 characters before they leave the process.
    const long = `La excavadora CAT-001 pierde aceite hidráulico por el brazo principal. ${'Se detuvo la faena. '.repeat(12)}`;
    await client.send(user, long);
    await until(() => userMessages(bridge.received).length >= 2, 'the long message at the inspector');
    const clipped = userMessages(bridge.received)[1]!;
    expect(clipped).toBe(`${long.slice(0, 200)}…`);

    // A turn that starts a workflow (an invoked promise actor, without context) is inspected too, and
    // the gateway goes on serving: the workflow's answer arrives.
    const status = await client.send(user, 'consultar estado de OT-CORR-1');
    await client.waitForReply(conversationId, status.conversation_token, /se encuentra en estado: En Progreso/);
    await until(
      () => bridge.received.some((e) => e.type === '@xstate.event' && e.event?.type === 'workflow.result'),
      'the workflow result at the inspector',
    );
    const child = bridge.received.find(
      (e) => e.type === '@xstate.actor' && e.parentId !== undefined && e.snapshot?.status,
    );
    expect(child?.parentId).toBe(conversationId);
  });

  it('with only INSPECT_URL sends a conversation once an admin switches it on, and no other', async () => {
    const bridge = await startBridge();
    const gw = await gateway({ INSPECT_URL: bridge.url });
    const client = webClient(gw.url);
    const user = `live-${randomUUID().slice(0, 8)}`;
    const other = `live-${randomUUID().slice(0, 8)}`;

    await client.send(user, 'hola');
    await client.send(other, 'buenos días');

    expect((await admin(gw.url, '/admin/conversations/web:nadie/inspect', { live: true })).status).toBe(404);
    expect((await admin(gw.url, `/admin/conversations/web:${user}/inspect`, { live: true }, 'wrong')).status).toBe(401);
    const switched = await admin(gw.url, `/admin/conversations/web:${user}/inspect`, { live: true });
    expect(switched.status).toBe(200);
    expect(await switched.json()).toEqual({ conversation_id: `web:${user}`, live: true });

    await client.send(other, '¿qué órdenes tengo pendientes?');
    await client.send(user, 'reportar falla');
    // The gateway's events reach the bridge in order: had the earlier turns been sent, they would be here.
    await until(() => userMessages(bridge.received).includes('reportar falla'), 'the switched-on conversation');
    expect(userMessages(bridge.received)).toEqual(['reportar falla']);
    expect(
      bridge.received
        .filter((e) => e.snapshot?.context?.conversationId)
        .map((e) => e.snapshot!.context!.conversationId),
    ).toEqual(expect.arrayContaining([`web:${user}`]));
    expect(bridge.received.some((e) => e.snapshot?.context?.conversationId === `web:${other}`)).toBe(false);

    // Switched off again: nothing more of it; the other conversation, switched on, as a marker.
    expect((await admin(gw.url, `/admin/conversations/web:${user}/inspect`, { live: false })).status).toBe(200);
    const seen = bridge.received.length;
    await client.send(user, 'cancelar');
    expect((await admin(gw.url, `/admin/conversations/web:${other}/inspect`, {})).status).toBe(200);
    await client.send(other, 'ayuda');
    await until(() => userMessages(bridge.received).includes('ayuda'), 'the other conversation, switched on');
    expect(userMessages(bridge.received.slice(seen))).toEqual(['ayuda']);
  });

  it('replays a conversation into the inspector from the CLI (npm run inspect -- <id> --live)', async () => {
    const bridge = await startBridge();
    const gw = await gateway({});
    const client = webClient(gw.url);
    const user = `live-${randomUUID().slice(0, 8)}`;
    await client.send(user, 'hola');
    await client.send(user, 'reportar falla');

    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['scripts/inspect.ts', `web:${user}`, '--url', gw.url, '--live', bridge.url],
        { env: { PATH: process.env.PATH ?? '', ADMIN_TOKEN } },
      );
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      child.on('exit', (exitCode) => resolve({ code: exitCode, out: output }));
      cleanups.push(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
    });
    expect(code, out).toBe(0);
    expect(out).toContain(`sending the replay to the inspector at ${bridge.url}`);
    expect(out).toMatch(/web\s+user\.message "hola"\s+idle ✓/);
    expect(out).toMatch(/web\s+user\.message "reportar falla"\s+reporting\.equipment ✓/);
    expect(out).toMatch(/replay matches the recorded states; final state: reporting\.equipment/);
    await until(() => userMessages(bridge.received).includes('reportar falla'), 'the replay at the inspector');
    expect(userMessages(bridge.received)).toEqual(['hola', 'reportar falla']);
    expect(
      bridge.received.some(
        (e) =>
          e.type === '@xstate.snapshot' && (e.snapshot?.value as { reporting?: string })?.reporting === 'equipment',
      ),
    ).toBe(true);
  });
});
