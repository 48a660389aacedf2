import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';

const asset = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

const ASSETS = {
  '/': { body: asset('index.html'), type: 'text/html; charset=utf-8' },
  '/webchat/chat.js': { body: asset('chat.js'), type: 'text/javascript; charset=utf-8' },
  '/webchat/chat.css': { body: asset('chat.css'), type: 'text/css; charset=utf-8' },
} as const;

/** Same-origin only: the page talks to `/graphql` over fetch and WebSocket, nothing else. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** The web chat page: `GET /` and its two assets. */
export function mountWebchat(app: Hono): void {
  for (const [path, { body, type }] of Object.entries(ASSETS)) {
    app.get(path, (c) => c.body(body, 200, { ...SECURITY_HEADERS, 'content-type': type }));
  }
}
