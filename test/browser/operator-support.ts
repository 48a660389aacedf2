import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { webClient } from '../support/web-client.ts';
import { DESKTOP, launchChromium, offlineContext, recordWebSockets, replyAsAgent } from './support.ts';

export const ADMIN_TOKEN = 'operator-console-test-admin-token';

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** The page's clock is Playwright's (time moves on only when the test says so, after `pauseAt`). */
  clock?: boolean;
  /** The page's WebSockets are kept in `window.sockets` (to break one). */
  recordSockets?: boolean;
}

/** The gateway and Chromium of an operator console test file, started before its tests and stopped after them. */
export function useConsoleGateway() {
  let gateway: Gateway;
  let browser: Browser;
  let web: ReturnType<typeof webClient>;

  beforeAll(async () => {
    browser = await launchChromium();
    gateway = await startGateway({
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      ADMIN_TOKEN,
      IDENTITY_REQUIRED: 'none', // unlinked users report failures through the service account
    });
    web = webClient(gateway.url);
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  /** Every browser profile of a test, each cut off from everything but the gateway. */
  const opened: Awaited<ReturnType<typeof offlineContext>>[] = [];

  async function openPage(path: string, { viewport = DESKTOP, clock, recordSockets }: PageOptions = {}) {
    const offline = await offlineContext(browser, viewport);
    opened.push(offline);
    const page = await offline.context.newPage();
    page.setDefaultTimeout(15_000);
    if (recordSockets) await recordWebSockets(page);
    if (clock) await page.clock.install();
    await page.goto(`${gateway.url}${path}`);
    return page;
  }

  /** Closes the test's profiles, after checking that none tried to reach another origin or broke its CSP. */
  async function closeAll() {
    const blocked = opened.flatMap((profile) => profile.blocked);
    const refused = opened.flatMap((profile) => profile.refused);
    for (const { context } of opened.splice(0)) await context.close();
    expect(blocked).toEqual([]);
    expect(refused).toEqual([]);
  }

  /** The console, signed in as "Ana (supervisora)" and connected. */
  async function openConsole(options: PageOptions = {}): Promise<Page> {
    const page = await openPage('/operator', options);
    await signIn(page, ADMIN_TOKEN);
    await page.locator('#workspace').waitFor();
    await expect.poll(() => page.textContent('#connection')).toBe('En línea');
    return page;
  }

  /** A person answers from another console. */
  const replyAs = (conversationId: string, text: string, name: string, role: string) =>
    replyAsAgent(gateway.url, ADMIN_TOKEN, { conversationId, text, name, role });

  return {
    get gateway() {
      return gateway;
    },
    /** The web channel's REST API, as a user's backend calls it. */
    get web() {
      return web;
    },
    openPage,
    openConsole,
    closeAll,
    replyAs,
  };
}

export async function signIn(page: Page, token: string, name = 'Ana', role = 'supervisora') {
  await page.fill('#token', token);
  await page.fill('#agent-name', name);
  await page.fill('#agent-role', role);
  await page.click('#signin-submit');
}

export const queueItem = (page: Page, conversationId: string) =>
  page.locator(`.queue__item[data-id="${conversationId}"]`);
export const transcript = (page: Page) => page.locator('#transcript .msg__text');
/** The waiting list's conversation ids, top to bottom. */
export const queueOrder = (page: Page) =>
  page.locator('.queue__item').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.id));
/** "Nueva", "Nuevo mensaje" or null: the entry's mark. */
export const badgeOf = async (page: Page, conversationId: string) => {
  const badge = queueItem(page, conversationId).locator('.badge--new');
  return (await badge.count()) ? badge.textContent() : null;
};
export const chipOf = (page: Page, conversationId: string) =>
  queueItem(page, conversationId).locator('.chip--unanswered, .chip--agent').textContent();
export const waitOf = (page: Page, conversationId: string) =>
  queueItem(page, conversationId).locator('.queue__since').textContent();
