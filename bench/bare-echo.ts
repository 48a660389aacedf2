import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/**
 * The baseline: a bare Hono app that parses the same JSON body and answers with exactly the bytes and
 * headers the gateway answered to "hola" (captured at the start of the run, in BENCH_REPLY_FILE:
 * `{"body": "...", "headers": {...}}`). Without the file it echoes a small JSON reply.
 */
interface CapturedReply {
  body: string;
  headers: Record<string, string>;
}

const file = process.env.BENCH_REPLY_FILE;
const reply: CapturedReply = file
  ? (JSON.parse(readFileSync(file, 'utf8')) as CapturedReply)
  : { body: '', headers: { 'content-type': 'application/json' } };

const app = new Hono();
app.post('/api/bot/message', async (c) => {
  const request = (await c.req.json()) as { user_id: string; message: string };
  if (!reply.body) {
    return c.json({ conversation_id: `web:${request.user_id}`, replies: [{ text: request.message }], status: 'idle' });
  }
  return c.body(reply.body, 200, reply.headers);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${info.port}` })}\n`);
});
