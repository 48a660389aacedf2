import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { GraphiQLOptions } from 'graphql-yoga';
import type { Hono } from 'hono';

/**
 * GraphiQL served entirely by the gateway (development: off with NODE_ENV=production): the page and
 * every asset it loads (script, styles with their fonts inlined, the editor's workers, the favicon)
 * come from `@graphql-yoga/render-graphiql`'s bundle, so nothing is fetched from a CDN. Instead of
 * the package's one 9 MB page of inline code, the assets are separate same-origin files (versioned,
 * cached for good, gzipped once), which lets the page keep a strict CSP: no inline script.
 */

const GRAPHIQL_VERSION: string = createRequire(import.meta.url)('@graphql-yoga/render-graphiql/package.json').version;

/** Where the assets live: versioned, so a browser may keep them for good. */
export const GRAPHIQL_ASSETS = `/graphql/graphiql/${GRAPHIQL_VERSION}`;

/** The Monaco editor's workers, by the label it asks for (as the package's own page maps them). */
const WORKERS = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };

/**
 * The page's policy: its own scripts and workers only; styles may be inline (the editor and the
 * React components add them at run time); fonts and icons inlined as data: URLs; requests to the
 * gateway only (HTTP and WebSocket).
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  'font-src data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** JSON safe inside a `<script type="application/json">` element (no `</script>`, no `<!--`). */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Yoga's `renderGraphiQL`: a small page that loads the local assets; its options travel as data. */
export function renderLocalGraphiQL(options: GraphiQLOptions = {}): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(options.title ?? 'omnibot GraphiQL')}</title>
    <link rel="icon" href="${GRAPHIQL_ASSETS}/favicon.ico" />
    <link rel="stylesheet" href="${GRAPHIQL_ASSETS}/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>GraphiQL needs JavaScript.</noscript>
    <div id="root"></div>
    <script type="application/json" id="graphiql-options">${scriptJson(options)}</script>
    <script src="${GRAPHIQL_ASSETS}/graphiql.js"></script>
  </body>
</html>
`;
}

interface Asset {
  body: Buffer;
  type: string;
}

/** The page's script: the workers' URLs for Monaco, the GraphiQL bundle, then the start with the page's options. */
function startScript(bundle: string): string {
  const workers = Object.fromEntries(
    Object.entries(WORKERS).map(([label, file]) => [label, `${GRAPHIQL_ASSETS}/${file}`]),
  );
  return `self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: function (_moduleId, label) { return ${JSON.stringify(workers)}[label]; },
};
${bundle};
YogaGraphiQL.renderYogaGraphiQL(
  document.querySelector('#root'),
  JSON.parse(document.getElementById('graphiql-options').textContent || '{}'),
);
`;
}

async function loadAssets(): Promise<Map<string, Asset>> {
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const js = 'text/javascript; charset=utf-8';
  const favicon = bundle.favicon.slice(bundle.favicon.indexOf(',') + 1);
  const assets: [string, string | Buffer, string][] = [
    ['graphiql.js', startScript(bundle.js), js],
    ['graphiql.css', bundle.css, 'text/css; charset=utf-8'],
    [WORKERS.editorWorkerService, bundle.editorWorkerService, js],
    [WORKERS.json, bundle.jsonWorker, js],
    [WORKERS.graphql, bundle.graphqlWorker, js],
    ['favicon.ico', Buffer.from(favicon, 'base64'), 'image/x-icon'],
  ];
  return new Map(assets.map(([name, body, type]) => [name, { body: Buffer.from(body), type }]));
}

const gzipped = promisify(gzip);

/** `GET /graphql/graphiql/<version>/<file>`: the assets, read from the package on first use. */
export function mountGraphiqlAssets(app: Hono): void {
  let assets: Promise<Map<string, Asset>> | undefined;
  const compressed = new Map<string, Promise<Buffer>>();
  app.get(`${GRAPHIQL_ASSETS}/:file`, async (c) => {
    assets ??= loadAssets().catch((error: unknown) => {
      assets = undefined; // read again on the next request
      throw error;
    });
    const file = c.req.param('file');
    const asset = (await assets).get(file);
    if (!asset) return c.json({ error: 'not_found', message: 'no such GraphiQL asset' }, 404);
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'accept-encoding',
    };
    if (!/\bgzip\b/.test(c.req.header('accept-encoding') ?? ''))
      return c.body(new Uint8Array(asset.body), 200, headers);
    let packed = compressed.get(file);
    if (!packed) {
      packed = gzipped(asset.body);
      compressed.set(file, packed);
    }
    return c.body(new Uint8Array(await packed), 200, { ...headers, 'content-encoding': 'gzip' });
  });
}

/** The GraphiQL page's answer with its CSP (yoga answers it with a bare `Content-Type`). */
export function withGraphiqlHeaders(response: Response): Response {
  if (!response.headers.get('content-type')?.startsWith('text/html')) return response;
  const page = new Response(response.body, response);
  page.headers.set('content-security-policy', GRAPHIQL_CSP);
  page.headers.set('content-type', 'text/html; charset=utf-8');
  page.headers.set('cache-control', 'no-cache');
  return page;
}
