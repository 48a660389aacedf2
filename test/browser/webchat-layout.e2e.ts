import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DESKTOP, PHONE, sideScroll } from './support.ts';
import { botMessages, sessionOf, useChatGateway } from './webchat-support.ts';

const chat = useChatGateway();
const openChat = chat.openChat;

/** Bottom edge of `selector`'s last match and top edge of the input bar, in viewport pixels. */
const edges = (page: Page, selector: string) =>
  page.evaluate((last) => {
    const items = document.querySelectorAll(last);
    const list = document.getElementById('messages')!.getBoundingClientRect();
    return {
      last: items[items.length - 1]!.getBoundingClientRect().bottom,
      list: list.bottom,
      inputBar: document.getElementById('composer')!.getBoundingClientRect().top,
    };
  }, selector);

describe('web chat layout', () => {
  for (const [name, viewport] of [
    ['390×844', PHONE],
    ['1280×800', DESKTOP],
  ] as const) {
    it(`scrolls to the newest reply with its buttons above the input bar (${name})`, async () => {
      const page = await openChat({ viewport });
      // Enough greetings (each with its menu of buttons) to overflow the list.
      for (let round = 1; round <= 5; round++) {
        await page.fill('#text', 'hola');
        await page.press('#text', 'Enter');
        await expect.poll(() => page.locator('.message__buttons').count()).toBe(round);
      }
      expect(await page.evaluate(() => document.getElementById('messages')!.scrollTop)).toBeGreaterThan(0);
      const { last, list, inputBar } = await edges(page, '.message__buttons button');
      expect(last).toBeLessThanOrEqual(list);
      expect(last).toBeLessThanOrEqual(inputBar);
      expect(await sideScroll(page)).toBe(0);
      await page.screenshot({ path: `${ARTIFACTS}webchat-scroll-${viewport.width}.png` });
      await page.context().close();
    });
  }

  it('makes only its own link page clickable: never a URL inside a notification', async () => {
    const page = await openChat({ viewport: PHONE });
    await page.fill('#text', 'hola');
    await page.press('#text', 'Enter');
    await botMessages(page).filter({ hasText: 'Soy el asistente' }).first().waitFor();
    const { conversationId } = await sessionOf(page);
    // Observations come from whoever completed the order in the CMMS: they may hold any URL.
    const told = await chat.gateway.runtime.notifyOrderChange(
      conversationId,
      {
        changeId: '901:1',
        orderId: 901,
        number: 'OT-CORR-901',
        equipment: 'Excavadora CAT 320',
        state: 'Completada',
        previousState: 'En Progreso',
        observations: `abre ${chat.gateway.url}/link/abc123 o https://evil.example/link/abc123`,
      },
      'requester',
    );
    expect(told?.replies[0]?.kind).toBe('notification');
    const notice = botMessages(page).filter({ hasText: 'OT-CORR-901' });
    await notice.first().waitFor();
    expect(await notice.locator('a').count()).toBe(0);

    // The assistant's own answer with the link page of this gateway is a link.
    await page.fill('#text', 'vincular cuenta');
    await page.press('#text', 'Enter');
    const link = botMessages(page).filter({ hasText: '/link/' }).locator('a');
    await link.first().waitFor();
    expect(new URL((await link.first().getAttribute('href')) ?? '').origin).toBe(new URL(chat.gateway.url).origin);
    await page.context().close();
  });

  it('keeps a long order number on one line on a phone', async () => {
    const page = await openChat({ viewport: PHONE });
    const number = 'OT-CORR-CAT-001-20261124170414-768';
    await page.fill('#text', `consultar estado de ${number}`);
    await page.press('#text', 'Enter');
    await botMessages(page).filter({ hasText: number }).first().waitFor();
    await expect.poll(() => page.locator('.message--in.message--pending').count()).toBe(0);

    const numbers = page.locator('.order-number', { hasText: number });
    expect(await numbers.count()).toBeGreaterThanOrEqual(2); // the user's message and the reply
    for (const span of await numbers.all()) {
      const layout = await span.evaluate((element) => {
        const bubble = element.closest('.message__bubble')!.getBoundingClientRect();
        const box = element.getBoundingClientRect();
        return { lines: element.getClientRects().length, right: box.right, bubbleRight: bubble.right };
      });
      expect(layout.lines).toBe(1);
      expect(layout.right).toBeLessThanOrEqual(layout.bubbleRight);
    }
    expect(await sideScroll(page)).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}webchat-order-number-390.png` });
    await page.context().close();
  });

  it('serves its icon, linked from the page', async () => {
    const ico = await fetch(`${chat.gateway.url}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toBe('image/x-icon');
    expect([...new Uint8Array(await ico.arrayBuffer()).slice(0, 4)]).toEqual([0, 0, 1, 0]);

    const page = await openChat();
    const hrefs = await page
      .locator('link[rel="icon"]')
      .evaluateAll((links) => links.map((link) => (link as HTMLLinkElement).href));
    expect(hrefs).toEqual([`${chat.gateway.url}/favicon.ico`, `${chat.gateway.url}/favicon.svg`]);
    // Each decodes as an image under the page's own policy (img-src 'self').
    const widths = await page.evaluate(
      (urls) =>
        Promise.all(
          urls.map(
            (url) =>
              new Promise<number>((resolve) => {
                const image = new Image();
                image.onload = () => resolve(image.naturalWidth);
                image.onerror = () => resolve(0);
                image.src = url;
              }),
          ),
        ),
      hrefs,
    );
    expect(widths.every((width) => width > 0)).toBe(true);
    await page.context().close();
  });
});
