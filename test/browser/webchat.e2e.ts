import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { postGraphql, SEND } from '../graphql/support/clients.ts';
import { ARTIFACTS, DESKTOP, launchChromium, PHONE, sideScroll } from './support.ts';

const AGENT_REPLY = `mutation Reply($id: ID!, $text: String!) {
  replyAsAgent(conversationId: $id, text: $text, agentName: "Ana", agentRole: "supervisora") { status }
}`;

const ADMIN_TOKEN = 'webchat-test-admin-token';

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

interface ChatOptions {
  /** The window's size (default 900×760). */
  viewport?: { width: number; height: number };
  /** Installs Playwright's fake clock (the page's timers run only when the test says so). */
  clock?: boolean;
  /** Keeps the page's WebSockets in `window.sockets` and what they sent in `window.sent`. */
  recordSockets?: boolean;
  /** Runs before the page loads (routes). */
  before?: (page: Page) => Promise<unknown>;
}

type RecordingWindow = Window & { sockets: WebSocket[]; sent: string[] };

/** A fresh browser profile on the chat page, recording every status the page shows. */
async function openChat(options: ChatOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    locale: 'es-CL',
    viewport: options.viewport ?? { width: 900, height: 760 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000); // a step that never happens fails with its own message
  if (options.recordSockets) {
    await page.addInitScript(() => {
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

const botMessages = (page: Page) => page.locator('.message--out .message__bubble');
const userMessages = (page: Page) => page.locator('.message--in .message__bubble');
const allMessages = (page: Page) => page.locator('.message .message__bubble');

const sessionOf = (page: Page) =>
  page.evaluate(
    () => JSON.parse(localStorage.getItem('omnibot.webchat') ?? 'null') as { conversationId: string; token: string },
  );

/** Sends a message to the page's conversation from outside the page (another device of the same user). */
async function sendFromElsewhere(session: { conversationId: string; token: string }, text: string) {
  const result = await postGraphql(gateway.url, SEND, { id: session.conversationId, text }, session.token);
  expect(result.errors).toBeUndefined();
}

/** Breaks the page's current WebSocket, as a network hiccup would, and waits for the page to notice. */
async function breakSocket(page: Page) {
  await page.evaluate(() => (window as unknown as RecordingWindow).sockets.at(-1)?.close());
  await expect.poll(() => page.textContent('#connection')).toBe('Reconectando…');
}

const pauseClock = (page: Page) => page.clock.pauseAt(Date.now() + 1_000);

describe('web chat page', () => {
  it('asks for a work order and shows "procesando…" until the answer arrives', async () => {
    const page = await openChat();
    expect(await page.title()).toContain('Asistente de mantenimiento');
    expect(await page.textContent('#connection')).toBe('En línea');

    await page.fill('#text', 'consultar estado de OT-CORR-1');
    await page.press('#text', 'Enter');

    const answer = botMessages(page).filter({ hasText: 'En Progreso' });
    await answer.waitFor();
    expect(await answer.textContent()).toMatch(/La orden de trabajo OT-CORR-1 .*se encuentra en estado: En Progreso/);
    expect(await userMessages(page).allTextContents()).toEqual(['consultar estado de OT-CORR-1']);
    expect((await botMessages(page).allTextContents())[0]).toMatch(/^Procesando: .*OT-CORR-1/);
    // The indicator showed while the workflow ran, and is gone now.
    expect(await page.evaluate(() => (window as unknown as { statusLog: string[] }).statusLog)).toEqual([
      'idle',
      'processing',
      'idle',
    ]);
    await expect.poll(() => page.isHidden('#processing')).toBe(true);

    await page.screenshot({ path: `${ARTIFACTS}webchat.png`, fullPage: true });
    await page.context().close();
  });

  it('shows that a person will answer while the conversation is handed off, until "menu"', async () => {
    const page = await openChat();
    await page.fill('#text', 'quiero hablar con un supervisor');
    await page.press('#text', 'Enter');
    await botMessages(page).filter({ hasText: 'Un supervisor revisará' }).waitFor();
    await expect.poll(() => page.isVisible('#handoff')).toBe(true);
    expect(await page.textContent('#handoff')).toMatch(/Esperando a un supervisor/);
    await page.fill('#text', 'menú');
    await page.press('#text', 'Enter');
    await botMessages(page).filter({ hasText: 'Volviste al asistente' }).waitFor();
    await expect.poll(() => page.isHidden('#handoff')).toBe(true);
    await page.context().close();
  });

  it('names the person who answers in the hand-off banner, until the hand-off ends', async () => {
    const page = await openChat({ viewport: PHONE });
    const session = await sessionOf(page);
    const reply = (text: string) =>
      postGraphql(gateway.url, AGENT_REPLY, { id: session.conversationId, text }, ADMIN_TOKEN).then((result) =>
        expect(result.errors).toBeUndefined(),
      );
    const askForAPerson = async () => {
      await page.fill('#text', 'hablar con un supervisor');
      await page.press('#text', 'Enter');
      await expect.poll(() => page.isVisible('#handoff')).toBe(true);
    };

    await askForAPerson();
    expect(await page.textContent('#handoff-who')).toBe('Esperando a un supervisor…');
    await reply('Hola, soy Ana. Ya reviso tu OT.');
    await botMessages(page).filter({ hasText: 'Ana (supervisora): Hola, soy Ana. Ya reviso tu OT.' }).waitFor();
    await expect.poll(() => page.textContent('#handoff-who')).toBe('Te atiende Ana (supervisora)');
    const banner = await page.locator('#handoff').boundingBox();
    expect(banner!.x + banner!.width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('#handoff').evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
    expect(await sideScroll(page)).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}webchat-banner-390.png` });

    // A reload names her again (from the transcript).
    await page.reload();
    await expect.poll(() => page.textContent('#handoff-who')).toBe('Te atiende Ana (supervisora)');

    // Back to the assistant and then to a person again: waiting for someone, not for Ana.
    await page.fill('#text', 'menú');
    await page.press('#text', 'Enter');
    await expect.poll(() => page.isHidden('#handoff')).toBe(true);
    await askForAPerson();
    expect(await page.textContent('#handoff-who')).toBe('Esperando a un supervisor…');
    await page.context().close();
  });

  it('sends a pressed button as the choice, and keeps the conversation across a reload', async () => {
    const page = await openChat();
    await page.fill('#text', 'hola');
    await page.click('#send');
    const choice = page.getByRole('button', { name: 'Estado de una OT' });
    await choice.waitFor();
    await choice.click();

    await botMessages(page).filter({ hasText: 'número de la orden de trabajo' }).waitFor();
    expect(await userMessages(page).allTextContents()).toEqual(['hola', 'Estado de una OT']);
    expect(await choice.isDisabled()).toBe(true);

    await page.reload();
    await expect.poll(() => page.isEnabled('#text')).toBe(true);
    await botMessages(page).filter({ hasText: 'número de la orden de trabajo' }).waitFor();
    expect(await userMessages(page).allTextContents()).toEqual(['hola', 'Estado de una OT']);

    await page.fill('#text', 'OT-CORR-1');
    await page.press('#text', 'Enter');
    await botMessages(page).filter({ hasText: 'En Progreso' }).waitFor();
    await page.screenshot({ path: `${ARTIFACTS}webchat-buttons.png`, fullPage: true });
    await page.context().close();
  });

  it('after "Nueva conversación", never shows the old conversation, even if its socket was reconnecting', async () => {
    const page = await openChat({ clock: true, recordSockets: true });
    const old = await sessionOf(page);
    await page.fill('#text', 'hola');
    await page.press('#text', 'Enter');
    await botMessages(page).filter({ hasText: 'Estado de una OT' }).waitFor();

    // The socket drops; the page is waiting to reconnect when the user starts over.
    await pauseClock(page);
    await breakSocket(page);
    await page.click('#restart');
    await expect.poll(async () => (await sessionOf(page))?.conversationId).not.toBe(old.conversationId);
    await expect.poll(() => page.isEnabled('#text')).toBe(true);
    const sentBefore = await page.evaluate(() => (window as unknown as RecordingWindow).sent.length);
    await page.clock.runFor(20_000); // any reconnect timer left behind fires now

    await page.fill('#text', 'hola');
    await page.press('#text', 'Enter');
    await botMessages(page).filter({ hasText: 'Estado de una OT' }).waitFor();
    // Something happens in the old conversation; then one more round trip in the new one.
    await sendFromElsewhere(old, 'mensaje de la conversación anterior');
    await page.fill('#text', 'consultar estado de OT-CORR-1');
    await page.press('#text', 'Enter');
    await botMessages(page).filter({ hasText: 'Procesando' }).waitFor();

    expect(await userMessages(page).allTextContents()).toEqual(['hola', 'consultar estado de OT-CORR-1']);
    const sentAfter = await page.evaluate(() => (window as unknown as RecordingWindow).sent.slice(0));
    expect(sentAfter.slice(sentBefore).filter((message) => message.includes(old.token))).toEqual([]);
    await page.context().close();
  });

  it('resubscribes when the server ends a subscription, and shows what was said meanwhile', async () => {
    const connections: { page: WebSocketRoute; ids: Map<string, string> }[] = [];
    const page = await openChat({
      clock: true,
      before: (p) =>
        p.routeWebSocket(/\/graphql$/, (ws) => {
          const server = ws.connectToServer();
          const connection = { page: ws, ids: new Map<string, string>() };
          connections.push(connection);
          ws.onMessage((message) => {
            const parsed = JSON.parse(String(message));
            const name = /subscription (\w+)/.exec(parsed.payload?.query ?? '')?.[1];
            if (parsed.type === 'subscribe' && name) connection.ids.set(name, parsed.id);
            server.send(message);
          });
          server.onMessage((message) => ws.send(message));
        }),
    });
    const session = await sessionOf(page);
    await pauseClock(page);
    expect(connections).toHaveLength(1);

    // The server completes the page's message subscription (e.g. after a restart of the event bus).
    const [first] = connections;
    const id = first!.ids.get('Messages')!;
    first!.page.send(JSON.stringify({ id, type: 'complete' }));
    await expect.poll(() => page.textContent('#connection')).toBe('Reconectando…');

    // Said while the page was not subscribed.
    await sendFromElsewhere(session, 'hola');
    await page.clock.runFor(20_000);
    await expect.poll(() => connections.length).toBe(2);
    await expect.poll(() => page.isEnabled('#text')).toBe(true);
    expect(await page.textContent('#connection')).toBe('En línea');
    await botMessages(page).filter({ hasText: 'Estado de una OT' }).waitFor();
    expect(await userMessages(page).allTextContents()).toEqual(['hola']);

    // And live messages arrive again.
    await page.getByRole('button', { name: 'Estado de una OT' }).click();
    await botMessages(page).filter({ hasText: 'número de la orden de trabajo' }).waitFor();
    await page.context().close();
  });

  it('after a reconnect, puts the messages said meanwhile before the newer live ones', async () => {
    let holdHistory = false;
    let historyHeld: () => void = () => {};
    const held = new Promise<void>((resolve) => (historyHeld = resolve));
    let releaseHistory: () => void = () => {};
    const released = new Promise<void>((resolve) => (releaseHistory = resolve));
    const page = await openChat({
      clock: true,
      recordSockets: true,
      before: (p) =>
        p.route('**/graphql', async (route) => {
          if (holdHistory && route.request().postData()?.includes('query History')) {
            historyHeld();
            await released;
          }
          await route.continue();
        }),
    });
    const session = await sessionOf(page);
    await pauseClock(page);
    await breakSocket(page);
    await sendFromElsewhere(session, 'hola'); // missed: the page is not connected

    // The page reconnects; its history read is slow, and a newer message arrives live first.
    holdHistory = true;
    await page.clock.runFor(20_000);
    await held;
    await sendFromElsewhere(session, 'consultar estado de OT-CORR-1');
    await botMessages(page).filter({ hasText: 'Procesando' }).waitFor();
    releaseHistory();
    await botMessages(page).filter({ hasText: 'Estado de una OT' }).waitFor();

    expect(await userMessages(page).allTextContents()).toEqual(['hola', 'consultar estado de OT-CORR-1']);
    const texts = await allMessages(page).allTextContents();
    expect(texts.findIndex((text) => text.includes('Estado de una OT'))).toBeLessThan(
      texts.findIndex((text) => text.startsWith('Procesando')),
    );
    // The greeting's choices are not the current ones any more.
    expect(await page.getByRole('button', { name: 'Estado de una OT' }).isDisabled()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}webchat-reconnect.png`, fullPage: true });
    await page.context().close();
  });
});

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
    const told = await gateway.runtime.notifyOrderChange(
      conversationId,
      {
        changeId: '901:1',
        orderId: 901,
        number: 'OT-CORR-901',
        equipment: 'Excavadora CAT 320',
        state: 'Completada',
        previousState: 'En Progreso',
        observations: `abre ${gateway.url}/link/abc123 o https://evil.example/link/abc123`,
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
    expect(new URL((await link.first().getAttribute('href')) ?? '').origin).toBe(new URL(gateway.url).origin);
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
    const ico = await fetch(`${gateway.url}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toBe('image/x-icon');
    expect([...new Uint8Array(await ico.arrayBuffer()).slice(0, 4)]).toEqual([0, 0, 1, 0]);

    const page = await openChat();
    const hrefs = await page
      .locator('link[rel="icon"]')
      .evaluateAll((links) => links.map((link) => (link as HTMLLinkElement).href));
    expect(hrefs).toEqual([`${gateway.url}/favicon.ico`, `${gateway.url}/favicon.svg`]);
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
