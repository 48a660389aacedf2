import type { Page, WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { postGraphql, SEND } from '../graphql/support/clients.ts';
import { ARTIFACTS, PHONE, type RecordingWindow, replyAsAgent, sideScroll } from './support.ts';
import { ADMIN_TOKEN, botMessages, sessionOf, useChatGateway } from './webchat-support.ts';

const chat = useChatGateway();
const openChat = chat.openChat;

const userMessages = (page: Page) => page.locator('.message--in .message__bubble');
const allMessages = (page: Page) => page.locator('.message .message__bubble');

/** Sends a message to the page's conversation from outside the page (another device of the same user). */
async function sendFromElsewhere(session: { conversationId: string; token: string }, text: string) {
  const result = await postGraphql(chat.gateway.url, SEND, { id: session.conversationId, text }, session.token);
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
      replyAsAgent(chat.gateway.url, ADMIN_TOKEN, {
        conversationId: session.conversationId,
        text,
        name: 'Ana',
        role: 'supervisora',
      });
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
    // Read back from the transcript, the new hand-off still waits for someone: Ana answered the old one.
    await page.reload();
    await expect.poll(() => page.isVisible('#handoff')).toBe(true);
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
