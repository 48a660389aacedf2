import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createStubServices } from '../../test/graphql/support/stub-services.ts';
import { GRAPHIQL_ASSETS } from './graphiql.ts';
import { mountGraphql, type UpgradeSource } from './index.ts';

/** No WebSocket here: the page and its assets are plain HTTP. */
const noUpgrades: UpgradeSource = { on: () => undefined, off: () => undefined, listenerCount: () => 0 };

function app(graphiql: boolean) {
  const hono = new Hono();
  mountGraphql({ app: hono, server: noUpgrades, services: createStubServices().services, graphiql });
  return hono;
}

const page = (hono: Hono) => hono.request('/graphql', { headers: { accept: 'text/html' } });

/** Every `src`/`href` attribute of the page. */
const references = (html: string) => [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]!);

describe('GraphiQL served by the gateway (no CDN)', () => {
  it('serves a page whose every asset is a gateway path, under a CSP without inline scripts', async () => {
    const hono = app(true);
    const response = await page(hono);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).not.toMatch(/https?:/);

    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/unpkg|jsdelivr|cdn/i);
    // The one inline script element is data (the options), never code.
    expect([...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((match) => match[1])).toEqual([
      ' type="application/json" id="graphiql-options"',
    ]);
    const assets = references(html);
    expect(assets).toEqual([
      `${GRAPHIQL_ASSETS}/favicon.ico`,
      `${GRAPHIQL_ASSETS}/graphiql.css`,
      `${GRAPHIQL_ASSETS}/graphiql.js`,
    ]);
    for (const path of assets) {
      const asset = await hono.request(path, { headers: { 'accept-encoding': 'identity' } });
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get('cache-control')).toContain('immutable');
    }
  });

  it('keeps fonts, icons and workers inside the gateway too', async () => {
    const hono = app(true);
    const css = await (await hono.request(`${GRAPHIQL_ASSETS}/graphiql.css`)).text();
    expect(css).toContain('@font-face');
    expect(css).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//);
    const script = await (await hono.request(`${GRAPHIQL_ASSETS}/graphiql.js`)).text();
    // Monaco's workers are loaded from the gateway (the CSP allows workers from 'self' only).
    for (const worker of ['editor.worker.js', 'json.worker.js', 'graphql.worker.js']) {
      expect(script).toContain(`${GRAPHIQL_ASSETS}/${worker}`);
      const response = await hono.request(`${GRAPHIQL_ASSETS}/${worker}`);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    }
    expect((await hono.request(`${GRAPHIQL_ASSETS}/nothing.js`)).status).toBe(404);
  });

  it('sends the assets gzipped to a browser that accepts it', async () => {
    const hono = app(true);
    const plain = await hono.request(`${GRAPHIQL_ASSETS}/graphiql.js`, { headers: { 'accept-encoding': 'identity' } });
    const packed = await hono.request(`${GRAPHIQL_ASSETS}/graphiql.js`, {
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    expect(packed.headers.get('content-encoding')).toBe('gzip');
    const bytes = Buffer.from(await packed.arrayBuffer());
    const script = await plain.text();
    expect(bytes.length).toBeLessThan(Buffer.byteLength(script) / 2);
    expect(gunzipSync(bytes).toString()).toBe(script);
  });

  it('serves neither the page nor its assets when GraphiQL is off (production)', async () => {
    const hono = app(false);
    const response = await page(hono);
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(response.headers.get('content-security-policy')).toBeNull();
    expect((await hono.request(`${GRAPHIQL_ASSETS}/graphiql.js`)).status).toBe(404);
  });
});
