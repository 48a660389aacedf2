import { type Context, Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { AuthError, ValidationError } from '../errors.ts';
import { silentLogger } from '../log.ts';
import type { ConversationRuntime, ReceiveOptions, TurnResult } from '../runtime/types.ts';
import type { InboundMessage } from '../types.ts';
import { errorHandler } from './errors.ts';
import { parseForm } from './read-json.ts';
import { mountWebhookRoute, type WebhookSpec } from './webhook-route.ts';

/** A runtime that records what it receives, deduplicating on `conversationId:id` like the real one. */
function recordingRuntime(opts: { storeDown?: boolean; failOnce?: string } = {}) {
  let failOnce = opts.failOnce;
  const received: InboundMessage[] = [];
  const seen = new Set<string>();
  const tracked: Promise<unknown>[] = [];
  const runtime = {
    async receive(parsed: InboundMessage, options?: ReceiveOptions): Promise<TurnResult> {
      // As the runtime does: the channel's `prepare` inside the turn.
      const message = options?.prepare ? await options.prepare(parsed) : parsed;
      if (message.id === failOnce) {
        failOnce = undefined;
        throw new Error('store hiccup');
      }
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
function formChannel(runtime: ConversationRuntime, extra: Partial<WebhookSpec<URLSearchParams>> = {}) {
  const app = new Hono();
  app.onError(errorHandler(silentLogger));
  const alongside: string[] = [];
  mountWebhookRoute(app, {
    path: '/webhooks/form',
    host: { runtime, logger: silentLogger, config: { maxBodyBytes: 200, publicUrl: 'https://bot.example.com' } },
    verify(c) {
      if (c.req.header('x-secret') !== 's3cret') throw new AuthError('X-Secret does not match');
    },
    parse(raw) {
      const fields = parseForm(raw);
      if (!fields.get('Sid')) throw new ValidationError('Sid is required');
      return fields;
    },
    receive: (fields) => ({
      messages: [
        {
          id: fields.get('Sid')!,
          channel: 'form',
          conversationId: `form:${fields.get('From')}`,
          user: { id: fields.get('From') ?? '' },
          text: fields.get('Body') ?? '',
          receivedAt: new Date(0).toISOString(),
        },
      ],
      alongside: async () => void alongside.push(fields.get('Sid')!),
    }),
    respond: (c) => c.body('<Response/>', 200, { 'content-type': 'text/xml' }),
    ...extra,
  });
  const post = (body: string | ReadableStream<Uint8Array>, secret = 's3cret') =>
    app.request('/webhooks/form', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-secret': secret },
      body,
      ...(typeof body === 'string' ? {} : { duplex: 'half' }),
    } as RequestInit);
  return { post, alongside };
}

/** A chunked body of `chunks` × 100 bytes that counts how many chunks were read from it. */
function countedBody(chunks: number) {
  const read = { chunks: 0 };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        read.chunks += 1;
        controller.enqueue(new TextEncoder().encode('a'.repeat(100)));
        if (read.chunks >= chunks) controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, read };
}

const headerSecret = {
  verify: undefined,
  authenticate(c: Context) {
    if (c.req.header('x-secret') !== 's3cret') throw new AuthError('X-Secret does not match');
  },
};

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

  it('authenticates before reading the body: an unauthenticated oversized body gets 401, never read', async () => {
    const { runtime, received, settle } = recordingRuntime();
    const { post } = formChannel(runtime, headerSecret);
    const forged = countedBody(50);
    const refused = await post(forged.body, 'guess');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized', message: 'X-Secret does not match' });
    expect(forged.read.chunks).toBe(0);
    // Authenticated, the same body meets the size cap (413), and a good one goes through.
    expect((await post(countedBody(50).body)).status).toBe(413);
    expect((await post('From=%2B569&Body=hola&Sid=SM6')).status).toBe(200);
    await settle();
    expect(received.map((m) => m.id)).toEqual(['SM6']);
  });

  it('refuses to mount a webhook that neither authenticates nor verifies', () => {
    const { runtime } = recordingRuntime();
    expect(() => formChannel(runtime, { verify: undefined })).toThrow(/authenticate or verify/);
  });

  it('prepares each message after the 200, in order per conversation, before the runtime gets it', async () => {
    const { runtime, received, settle } = recordingRuntime();
    const steps: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { post } = formChannel(runtime, {
      async prepare(message) {
        await gate; // a store read, after the answer
        steps.push(`prepare ${message.id} after ${received.length} received`);
        return message.text === '2' ? { ...message, action: 'priority:media' } : message;
      },
    });
    const answer = await post('From=%2B569&Body=2&Sid=SM7');
    expect(answer.status).toBe(200);
    expect(steps).toEqual([]); // the answer did not wait for it
    release();
    await settle();
    expect(steps).toEqual(['prepare SM7 after 0 received']);
    expect(received).toMatchObject([{ id: 'SM7', text: '2', action: 'priority:media' }]);
  });

  it('prepares the next message of a conversation only once the previous one was received', async () => {
    const { runtime, received, settle } = recordingRuntime();
    const steps: string[] = [];
    const message = (id: string): InboundMessage => ({
      id,
      channel: 'form',
      conversationId: 'form:+569',
      user: { id: '+569' },
      text: id,
      receivedAt: new Date(0).toISOString(),
    });
    const { post } = formChannel(runtime, {
      receive: () => ({ messages: [message('first'), message('second')] }),
      async prepare(next) {
        steps.push(`prepare ${next.id} after ${received.length} received`);
        return next;
      },
    });
    expect((await post('Sid=SM9')).status).toBe(200);
    await settle();
    expect(steps).toEqual(['prepare first after 0 received', 'prepare second after 1 received']);
  });

  it('retries a message whose preparation failed, and hands it over prepared (never as parsed)', async () => {
    const { runtime, received, settle } = recordingRuntime();
    let reads = 0;
    const { post } = formChannel(runtime, {
      retryDelaysMs: [1, 1],
      async prepare(message) {
        if (++reads === 1) throw new Error('transcript unavailable');
        return { ...message, action: 'priority:media' };
      },
    });
    expect((await post('From=%2B569&Body=2&Sid=SM8')).status).toBe(200);
    await settle();
    expect(reads).toBe(2);
    expect(received).toMatchObject([{ id: 'SM8', text: '2', action: 'priority:media' }]);
  });

  it("keeps a conversation's order across deliveries: a later message waits for an earlier one being retried", async () => {
    const { runtime, received, settle } = recordingRuntime({ failOnce: 'SM1' });
    const { post } = formChannel(runtime, { retryDelaysMs: [50] });
    expect((await post('From=%2B569&Body=3&Sid=SM1')).status).toBe(200);
    expect((await post('From=%2B569&Body=1&Sid=SM2')).status).toBe(200);
    await settle();
    expect(received.map((m) => m.id)).toEqual(['SM1', 'SM2']);
  });
});
