import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { AuthError, ValidationError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import type { ConversationRuntime, TurnResult } from '../runtime/types.ts';
import type { InboundMessage } from '../types.ts';
import { errorHandler } from './errors.ts';
import { parseForm } from './read-json.ts';
import { mountWebhookRoute, type WebhookSpec } from './webhook-route.ts';

/** A runtime that records what it receives, deduplicating on `conversationId:id` like the real one. */
function recordingRuntime(opts: { storeDown?: boolean } = {}) {
  const received: InboundMessage[] = [];
  const seen = new Set<string>();
  const tracked: Promise<unknown>[] = [];
  const runtime = {
    async receive(message: InboundMessage): Promise<TurnResult> {
      const key = `${message.conversationId}:${message.id}`;
      const duplicate = seen.has(key);
      if (!duplicate) received.push(message);
      seen.add(key);
      return { conversationId: message.conversationId, replies: [], state: 'idle', status: 'idle', duplicate };
    },
    async getConversation() {
      if (opts.storeDown) throw new Error('store unavailable');
      return null;
    },
    track(work: Promise<unknown>) {
      tracked.push(work);
    },
  } as unknown as ConversationRuntime;
  return { runtime, received, settle: () => Promise.all(tracked) };
}

/** A form-encoded channel shaped like SMS: a shared-secret header, `From`/`Body`/`Sid`, a TwiML answer. */
function formChannel(runtime: ConversationRuntime, extra: Partial<WebhookSpec<Record<string, string>>> = {}) {
  const app = new Hono();
  app.onError(errorHandler(silentLogger));
  const alongside: string[] = [];
  mountWebhookRoute(app, {
    path: '/webhooks/form',
    runtime,
    logger: silentLogger,
    maxBodyBytes: 200,
    verify(c) {
      if (c.req.header('x-secret') !== 's3cret') throw new AuthError('X-Secret does not match');
    },
    parse(raw) {
      const fields = parseForm(raw);
      if (!fields.Sid) throw new ValidationError('Sid is required');
      return fields;
    },
    receive: (fields) => ({
      messages: [
        {
          id: fields.Sid!,
          channel: 'form',
          conversationId: `form:${fields.From}`,
          user: { id: fields.From ?? '' },
          text: fields.Body ?? '',
          receivedAt: new Date(0).toISOString(),
        },
      ],
      alongside: async () => void alongside.push(fields.Sid!),
    }),
    respond: (c) => c.body('<Response/>', 200, { 'content-type': 'text/xml' }),
    ...extra,
  });
  const post = (body: string, secret = 's3cret') =>
    app.request('/webhooks/form', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-secret': secret },
      body,
    });
  return { post, alongside };
}

describe('mountWebhookRoute', () => {
  it('answers the channel’s own 200 and hands the messages to the runtime after it, once per id', async () => {
    const { runtime, received, settle } = recordingRuntime();
    const { post, alongside } = formChannel(runtime);
    const body = new URLSearchParams({ From: '+56912345678', Body: 'reportar falla', Sid: 'SM1' }).toString();
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('text/xml');
    expect(await first.text()).toBe('<Response/>');
    expect((await post(body)).status).toBe(200);
    await settle();
    expect(received.map((m) => [m.conversationId, m.text])).toEqual([['form:+56912345678', 'reportar falla']]);
    expect(alongside).toEqual(['SM1', 'SM1']);
  });

  it('renders what the steps throw in the app’s error form: 401, 400, 413', async () => {
    const { runtime, received, settle } = recordingRuntime();
    const { post } = formChannel(runtime);
    const forged = await post('Sid=SM2', 'guess');
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: 'unauthorized', message: 'X-Secret does not match' });
    const invalid = await post('From=x');
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: 'invalid_request', message: 'Sid is required' });
    const large = await post(`Sid=SM3&Body=${'a'.repeat(300)}`);
    expect(large.status).toBe(413);
    expect(await large.json()).toMatchObject({ error: 'payload_too_large' });
    await settle();
    expect(received).toEqual([]);
  });

  it('answers 503 with Retry-After while the store is down, processing nothing (the platform delivers again)', async () => {
    const { runtime, received, settle } = recordingRuntime({ storeDown: true });
    const { post, alongside } = formChannel(runtime);
    const refused = await post('From=%2B569&Body=hola&Sid=SM4');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: 'unavailable' });
    await settle();
    expect(received).toEqual([]);
    expect(alongside).toEqual([]);
  });

  it('answers `{ ok: true }` when the channel has no answer of its own', async () => {
    const { runtime } = recordingRuntime();
    const { post } = formChannel(runtime, { respond: undefined });
    const answer = await post('From=%2B569&Body=hola&Sid=SM5');
    expect(await answer.json()).toEqual({ ok: true });
  });
});
