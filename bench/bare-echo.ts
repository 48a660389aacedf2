import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/** The baseline: a bare Hono app that parses the same JSON body and echoes a reply. */
const app = new Hono();
app.post('/api/bot/message', async (c) => {
  const body = (await c.req.json()) as { user_id: string; message: string };
  return c.json({ conversation_id: `web:${body.user_id}`, replies: [{ text: body.message }], status: 'idle' });
});
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${info.port}` })}\n`);
});
