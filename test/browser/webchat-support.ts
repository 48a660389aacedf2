import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { launchChromium, recordWebSockets } from './support.ts';

export const ADMIN_TOKEN = 'webchat-test-admin-token';

export interface ChatOptions {
  /** The window's size (default 900×760). */
  viewport?: { width: number; height: number };
  /** Installs Playwright's fake clock (the page's timers run only when the test says so). */
  clock?: boolean;
  /** Keeps the page's WebSockets in `window.sockets` and what they sent in `window.sent`. */
  recordSockets?: boolean;
  /** Runs before the page loads (routes). */
  before?: (page: Page) => Promise<unknown>;
}

/** The gateway and Chromium of a web chat test file, started before its tests and stopped after them. */
export function useChatGateway() {
  let gateway: Gateway;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    gateway = await startGateway({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ADMIN_TOKEN });
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  /** A fresh browser profile on the chat page, recording every status the page shows. */
  async function openChat(options: ChatOptions = {}): Promise<Page> {
    const context = await browser.newContext({
      locale: 'es-CL',
      viewport: options.viewport ?? { width: 900, height: 760 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000); // a step that never happens fails with its own message
    if (options.recordSockets) await recordWebSockets(page);
    if (options.clock) await page.clock.install();
    await options.before?.(page);
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { statusLog: string[] }).statusLog = seen;
      new MutationObserver(() => {
        const status = document.body?.dataset.status;
        if (status && seen.at(-1) !== status) seen.push(status);
      }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-status'] });
    });
    await page.goto(gateway.url);
    await expect.poll(() => page.isEnabled('#text')).toBe(true);
    return page;
  }

  return {
    get gateway() {
      return gateway;
    },
    openChat,
  };
}

export const botMessages = (page: Page) => page.locator('.message--out .message__bubble');

/** The page's conversation, as it keeps it across reloads. */
export const sessionOf = (page: Page) =>
  page.evaluate(
    () => JSON.parse(localStorage.getItem('omnibot.webchat') ?? 'null') as { conversationId: string; token: string },
  );
