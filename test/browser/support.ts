import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { postGraphql } from '../graphql/support/clients.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** Debian's headless Chromium (scripts/install-chromium.sh), never a browser download. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-chromium.sh`);
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A browser profile cut off from everything but the loopback gateway, as on a network without the
 * internet: every other request is aborted and kept in `blocked`, and what the pages' Content Security
 * Policy refused in `refused` (a test asserts both stay empty).
 */
export async function offlineContext(
  browser: Browser,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; blocked: string[]; refused: string[] }> {
  const context = await browser.newContext({ locale: 'es-CL', viewport });
  const blocked: string[] = [];
  const refused: string[] = [];
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
  });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'ws:') && LOOPBACK.has(url.hostname)) return route.continue();
    blocked.push(url.href);
    return route.abort('internetdisconnected');
  });
  await context.routeWebSocket(
    (url) => !LOOPBACK.has(url.hostname),
    (ws) => {
      blocked.push(ws.url());
      return ws.close();
    },
  );
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (!LOOPBACK.has(url.hostname) && !['data:', 'blob:'].includes(url.protocol)) blocked.push(url.href);
  });
  return { context, blocked, refused };
}

/** How far the page scrolls sideways (0: it fits the viewport). */
export const sideScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

interface ScreenshotOptions {
  /** Scrolled into view before each screenshot. */
  focus?: Locator;
  /** Checks that the page does not scroll sideways (default true). */
  fits?: boolean;
}

/** A screenshot in artifacts/ at each size (`<name>-1280.png`, `<name>-390.png`); the page ends at desktop size. */
export async function screenshots(page: Page, name: string, { focus, fits = true }: ScreenshotOptions = {}) {
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    if (fits) expect(await sideScroll(page), `${name} scrolls sideways at ${size.width} px`).toBe(0);
    await focus?.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}${name}-${size.width}.png` });
  }
  await page.setViewportSize(DESKTOP);
}

/** A page whose WebSockets are kept in `window.sockets` and what they sent in `window.sent`. */
export type RecordingWindow = Window & { sockets: WebSocket[]; sent: string[] };

/** Records the page's WebSockets (to break one, or read what it sent); call before the page loads. */
export function recordWebSockets(page: Page) {
  return page.addInitScript(() => {
    const recording = window as unknown as RecordingWindow;
    recording.sockets = [];
    recording.sent = [];
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        recording.sockets.push(this);
      }
      override send(data: string) {
        recording.sent.push(data);
        super.send(data);
      }
    } as typeof WebSocket;
  });
}

const AGENT_REPLY = `mutation Reply($id: ID!, $text: String!, $name: String, $role: String) {
  replyAsAgent(conversationId: $id, text: $text, agentName: $name, agentRole: $role) { status }
}`;

/** A person answers the conversation through the admin API, signed `name (role)`. */
export async function replyAsAgent(
  gatewayUrl: string,
  adminToken: string,
  reply: { conversationId: string; text: string; name: string; role: string },
) {
  const { conversationId: id, text, name, role } = reply;
  const result = await postGraphql(gatewayUrl, AGENT_REPLY, { id, text, name, role }, adminToken);
  expect(result.errors).toBeUndefined();
}
