/**
 * A loopback server in front of the gateway's `POST /api/bot/notify` for the DAG notificar_cambios_ot:
 * records every POST (raw body, headers, the status it got) and forwards it to the gateway, or plays
 * the gateway failing once: `unavailable` answers 503 with Retry-After without forwarding (the store
 * was down: nothing told), `lost` forwards then answers 503 (the changes reached the gateway but the
 * answer was lost).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface NotifyPost {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  json: { source?: string; sent_at?: string; changes?: Record<string, unknown>[] };
  /** What the DAG was answered. */
  status: number;
  /** The gateway's answer, when it was forwarded. */
  gateway?: { status: number; body: unknown };
}

export type FrontFailure = 'unavailable' | 'lost';

export interface NotifyFront {
  /** The URL for the Variable omnibot_notify_url. */
  url: string;
  posts: NotifyPost[];
  /** The next POST fails this way, the ones after it are forwarded. */
  failOnce(failure: FrontFailure): void;
  close(): Promise<void>;
}

export async function startNotifyFront(gatewayUrl: string): Promise<NotifyFront> {
  let failure: FrontFailure | undefined;
  const posts: NotifyPost[] = [];
  const forward = async (rawBody: Buffer, headers: IncomingHttpHeaders) => {
    const res = await request(`${gatewayUrl}/api/bot/notify`, {
      method: 'POST',
      headers: {
        'content-type': String(headers['content-type'] ?? 'application/json'),
        'x-omnibot-signature': String(headers['x-omnibot-signature'] ?? ''),
      },
      body: rawBody,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? (JSON.parse(text) as unknown) : null, text };
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let json: NotifyPost['json'] = {};
      try {
        json = JSON.parse(rawBody.toString('utf8')) as NotifyPost['json'];
      } catch {
        // recorded as is; the assertions fail on it
      }
      const post: NotifyPost = { headers: req.headers, rawBody, json, status: 0 };
      posts.push(post);
      const now = failure;
      failure = undefined;
      const unavailable = () => {
        post.status = 503;
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(JSON.stringify({ error: 'store_unavailable' }));
      };
      if (now === 'unavailable') return unavailable();
      forward(rawBody, req.headers).then(
        (answer) => {
          post.gateway = { status: answer.status, body: answer.body };
          if (now === 'lost') return unavailable();
          post.status = answer.status;
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.text);
        },
        () => {
          post.status = 502;
          res.writeHead(502).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/bot/notify`,
    posts,
    failOnce: (kind) => {
      failure = kind;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
