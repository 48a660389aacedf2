import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';

const asset = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const SCRIPT = 'text/javascript; charset=utf-8';

/** The console's page and its assets: served from here, nothing from another origin. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/operator': { file: 'console.html', type: 'text/html; charset=utf-8' },
  '/operator/': { file: 'console.html', type: 'text/html; charset=utf-8' },
  '/operator/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
  '/operator/conversation.css': { file: 'conversation.css', type: 'text/css; charset=utf-8' },
  '/operator/timeline.css': { file: 'timeline.css', type: 'text/css; charset=utf-8' },
  '/operator/console.js': { file: 'console.js', type: SCRIPT },
  '/operator/graphql.js': { file: 'graphql.js', type: SCRIPT },
  '/operator/dom.js': { file: 'dom.js', type: SCRIPT },
  '/operator/queue.js': { file: 'queue.js', type: SCRIPT },
  '/operator/conversation.js': { file: 'conversation.js', type: SCRIPT },
  '/operator/timeline.js': { file: 'timeline.js', type: SCRIPT },
};

/** Same origin only (like the web chat page): the console talks to `/graphql`, nothing else. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The operator console (`GET /operator`): people answer conversations handed off to them and read any
 * conversation's timeline. The page holds no secret; every call it makes needs the admin token.
 */
export function mountOperatorConsole(app: Hono): void {
  for (const [path, { file, type }] of Object.entries(ASSETS)) {
    const body = asset(file);
    app.get(path, (c) => c.body(body, 200, { ...SECURITY_HEADERS, 'content-type': type }));
  }
}
