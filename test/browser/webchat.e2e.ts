import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { postGraphql, SEND } from '../graphql/support/clients.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));

let gateway: Gateway;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-chromium.sh`);
  mkdirSync(ARTIFACTS, { recursive: true });
  gateway = await startGateway({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  browser = await chromium.launch({
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
});

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

interface ChatOptions {
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
  const context = await browser.newContext({ locale: 'es-CL', viewport: { width: 900, height: 760 } });
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
