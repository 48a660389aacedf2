import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';

const asset = (name: string) => new Uint8Array(readFileSync(new URL(`./${name}`, import.meta.url)));

const ASSETS = {
  '/': { body: asset('index.html'), type: 'text/html; charset=utf-8' },
  '/webchat/chat.js': { body: asset('chat.js'), type: 'text/javascript; charset=utf-8' },
  '/webchat/chat.css': { body: asset('chat.css'), type: 'text/css; charset=utf-8' },
  // The gateway's icon (a wrench on the brand colour), also linked by the operator console.
  '/favicon.svg': { body: asset('favicon.svg'), type: 'image/svg+xml' },
  '/favicon.ico': { body: asset('favicon.ico'), type: 'image/x-icon' },
} as const;

/** Same-origin only: the page talks to `/graphql` over fetch and WebSocket, nothing else. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** The web chat page: `GET /`, its two assets and the icon. */
export function mountWebchat(app: Hono): void {
  for (const [path, { body, type }] of Object.entries(ASSETS)) {
    app.get(path, (c) => c.body(body, 200, { ...SECURITY_HEADERS, 'content-type': type }));
  }
}
