import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Hono } from 'hono';

/** A file served as is: read once at startup. */
export interface StaticAsset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * Same origin only, no inline script or style: the pages (web chat, operator console) load their own
 * assets and talk to `/graphql` over fetch and WebSocket, nothing else.
 */
export const SAME_ORIGIN_PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;

/** The file `name` next to the module at `moduleUrl` (its `import.meta.url`), typed by its extension. */
export function staticAsset(name: string, moduleUrl: string | URL): StaticAsset {
  const type = CONTENT_TYPES[extname(name)];
  if (!type) throw new Error(`no content type for the static asset ${name}`);
  return { body: new Uint8Array(readFileSync(new URL(name, moduleUrl))), type };
}

/**
 * Browser code and styles shared by the web chat and the operator console (`core/http/browser/`): each
 * page serves them at its own path.
 */
export const sharedBrowserAsset = (name: string): StaticAsset =>
  staticAsset(name, new URL('./browser/', import.meta.url));

/** `GET` of each path answers its asset with the same-origin headers. */
export function serveStaticAssets(app: Hono, assets: Record<string, StaticAsset>): void {
  for (const [path, { body, type }] of Object.entries(assets)) {
    app.get(path, (c) => c.body(body, 200, { ...SAME_ORIGIN_PAGE_HEADERS, 'content-type': type }));
  }
}
