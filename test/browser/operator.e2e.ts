import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { postGraphql } from '../graphql/support/clients.ts';
import { webClient } from '../support/web-client.ts';
import { ARTIFACTS, DESKTOP, launchChromium, offlineContext, PHONE, screenshots, sideScroll } from './support.ts';

const ADMIN_TOKEN = 'operator-console-test-admin-token';
const AGENT_REPLY = `mutation Reply($id: ID!, $text: String!, $name: String, $role: String) {
  replyAsAgent(conversationId: $id, text: $text, agentName: $name, agentRole: $role) { status }
}`;

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

interface PageOptions {
  viewport?: { width: number; height: number };
  /** The page's clock is Playwright's (time moves on only when the test says so, after `pauseAt`). */
  clock?: boolean;
  /** The page's WebSockets are kept in `window.sockets` (to break one). */
  recordSockets?: boolean;
}

type RecordingWindow = Window & { sockets: WebSocket[] };

async function openPage(path: string, { viewport = DESKTOP, clock, recordSockets }: PageOptions = {}): Promise<Page> {
  const offline = await offlineContext(browser, viewport);
  opened.push(offline);
  const page = await offline.context.newPage();
  page.setDefaultTimeout(15_000);
  if (recordSockets) {
    await page.addInitScript(() => {
      const recording = window as unknown as RecordingWindow;
      recording.sockets = [];
      const Native = window.WebSocket;
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          recording.sockets.push(this);
        }
      } as typeof WebSocket;
    });
  }
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

async function signIn(page: Page, token: string, name = 'Ana', role = 'supervisora') {
  await page.fill('#token', token);
  await page.fill('#agent-name', name);
  await page.fill('#agent-role', role);
  await page.click('#signin-submit');
}

async function openConsole(options: PageOptions = {}): Promise<Page> {
  const page = await openPage('/operator', options);
  await signIn(page, ADMIN_TOKEN);
  await page.locator('#workspace').waitFor();
  await expect.poll(() => page.textContent('#connection')).toBe('En línea');
  return page;
}

const queueItem = (page: Page, conversationId: string) => page.locator(`.queue__item[data-id="${conversationId}"]`);
const transcript = (page: Page) => page.locator('#transcript .msg__text');
/** The waiting list's conversation ids, top to bottom. */
const queueOrder = (page: Page) =>
  page.locator('.queue__item').evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.id));
/** "Nueva", "Nuevo mensaje" or null: the entry's mark. */
const badgeOf = async (page: Page, conversationId: string) => {
  const badge = queueItem(page, conversationId).locator('.badge--new');
  return (await badge.count()) ? badge.textContent() : null;
};
const chipOf = (page: Page, conversationId: string) =>
  queueItem(page, conversationId).locator('.chip--unanswered, .chip--agent').textContent();
const waitOf = (page: Page, conversationId: string) =>
  queueItem(page, conversationId).locator('.queue__since').textContent();
/** How far the transcript is from showing its end (0: it shows the last message). */
const transcriptGap = (page: Page) =>
  page.locator('#transcript').evaluate((list) => list.scrollHeight - list.scrollTop - list.clientHeight);

async function replyAs(conversationId: string, text: string, name: string, role: string) {
  const result = await postGraphql(gateway.url, AGENT_REPLY, { id: conversationId, text, name, role }, ADMIN_TOKEN);
  expect(result.errors).toBeUndefined();
}

describe('operator console', () => {
  it('is served with a same-origin-only policy', async () => {
    for (const path of ['/operator', '/operator/console.js', '/operator/console.css', '/operator/timeline.js']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status, path).toBe(200);
      const policy = response.headers.get('content-security-policy');
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("connect-src 'self'");
      expect(policy).toContain("script-src 'self'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('refuses a wrong token and a conversation token, saying why', async () => {
    const page = await openPage('/operator');
    expect(await page.title()).toBe('Consola de operadores · Somacor');
    await signIn(page, 'not-the-token');
    await expect.poll(() => page.textContent('#signin-error')).toBe('El token no es válido.');

    const { conversation_token: conversationToken } = await web.send('console-forbidden', 'hola');
    await signIn(page, conversationToken);
    await expect
      .poll(() => page.textContent('#signin-error'))
      .toBe('Ese token no da acceso a la consola: pide el token de administrador a quien administra omnibot.');
    expect(await page.isHidden('#workspace')).toBe(true);
    await screenshots(page, 'operator-signin');
    await closeAll();
  });

  it('answers a user who asked for a person as "Ana (supervisora)", live on both sides, then hands back', async () => {
    const console_ = await openConsole();
    expect(await console_.textContent('#who')).toContain('Ana (supervisora)');

    // A web chat user asks for a person: the conversation appears in the waiting list live.
    const chat = await openPage('/', { viewport: PHONE });
    await expect.poll(() => chat.isEnabled('#text')).toBe(true);
    const { conversationId } = await chat.evaluate(() => JSON.parse(localStorage.getItem('omnibot.webchat')!));
    await chat.fill('#text', 'quiero hablar con un supervisor');
    await chat.press('#text', 'Enter');
    const visitor = queueItem(console_, conversationId);
    await visitor.waitFor();
    await expect.poll(() => chat.textContent('#handoff-who')).toBe('Esperando a un supervisor…');
    // A browser visitor is named by a short piece of their id, on one line; the full id in the tooltip.
    const visitorName = visitor.locator('.queue__who');
    expect(await visitorName.textContent()).toBe(`Visitante web · ${conversationId.slice('web:~'.length, 11)}`);
    expect(await visitor.getAttribute('title')).toBe(conversationId);
    expect(await visitorName.evaluate((name) => name.scrollHeight <= name.clientHeight + 1)).toBe(true);
    expect(await badgeOf(console_, conversationId)).toBe('Nueva');
    expect(await chipOf(console_, conversationId)).toBe('Sin respuesta');
    expect(await waitOf(console_, conversationId)).toBe('Espera hace menos de 1 min');

    // A second one over the REST API (its backend names the user); it writes again: still new, never opened.
    const rest = await web.send('maria-console', 'hablar con un supervisor', { user_name: 'María Soto' });
    expect(rest.status).toBe('handoff');
    const maria = queueItem(console_, rest.conversation_id);
    await maria.waitFor();
    expect(await maria.locator('.queue__who').textContent()).toBe('María Soto');
    await web.send('maria-console', 'la excavadora sigue detenida');
    await expect.poll(() => maria.locator('.queue__last').textContent()).toBe('la excavadora sigue detenida');
    expect(await maria.getAttribute('class')).toContain('queue__item--unread');
    expect(await badgeOf(console_, rest.conversation_id)).toBe('Nueva');
    // Nobody answered either: the one waiting longest comes first.
    const order = await queueOrder(console_);
    expect(order.indexOf(conversationId)).toBeLessThan(order.indexOf(rest.conversation_id));
    await screenshots(console_, 'operator-list');

    // Open the web chat user's conversation: its transcript, then what the user writes, live.
    await visitor.click();
    await transcript(console_).filter({ hasText: 'quiero hablar con un supervisor' }).waitFor();
    await transcript(console_).filter({ hasText: 'Un supervisor revisará' }).waitFor();
    // On a desktop the reply box is ready to type in.
    await expect.poll(() => console_.evaluate(() => document.activeElement?.id)).toBe('reply-text');
    expect(await console_.textContent('#conversation-title')).toMatch(/^Visitante web · /);
    expect(await console_.textContent('#conversation-id')).toBe(conversationId);
    expect(await badgeOf(console_, conversationId)).toBeNull();
    await chat.fill('#text', 'mi OT-CORR-1 sigue sin técnico');
    await chat.press('#text', 'Enter');
    await transcript(console_).filter({ hasText: 'mi OT-CORR-1 sigue sin técnico' }).waitFor();
    expect(await badgeOf(console_, conversationId)).toBeNull(); // seen as it arrives

    // Ana answers; the user sees her signature and the banner names her.
    await console_.fill('#reply-text', 'Hola, soy Ana. Ya reviso tu OT.');
    await console_.click('#reply-send');
    const signed = 'Ana (supervisora): Hola, soy Ana. Ya reviso tu OT.';
    await chat.locator('.message--out .message__bubble', { hasText: signed }).waitFor();
    await expect.poll(() => chat.textContent('#handoff-who')).toBe('Te atiende Ana (supervisora)');
    expect(await chat.evaluate(() => document.body.dataset.agent)).toBe('Ana (supervisora)');
    const banner = await chat.locator('#handoff').evaluate((element) => ({
      overflow: element.scrollWidth - element.clientWidth,
      right: element.getBoundingClientRect().right,
    }));
    expect(banner.overflow).toBe(0);
    expect(banner.right).toBeLessThanOrEqual(PHONE.width);
    expect(await sideScroll(chat)).toBe(0);
    await chat.screenshot({ path: `${ARTIFACTS}webchat-banner-agent-390.png` });
    await chat.setViewportSize(DESKTOP);
    await chat.screenshot({ path: `${ARTIFACTS}webchat-banner-agent-1280.png` });

    // The console shows the reply once, signed in its text only (above it, the time).
    const reply = console_.locator('#transcript .msg--agent');
    await reply.waitFor();
    await expect.poll(() => reply.count()).toBe(1);
    expect(await reply.locator('.msg__meta').textContent()).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(await reply.locator('.msg__text').textContent()).toBe(signed);
    expect(await console_.locator('#transcript .msg--in .msg__meta').first().textContent()).toMatch(/^Usuario · /);
    // The list says who answers it, and puts it after the ones nobody answered.
    await expect.poll(() => chipOf(console_, conversationId)).toBe('Atiende Ana (supervisora)');
    expect(await waitOf(console_, conversationId)).toBe('Derivada hace menos de 1 min');
    const answered = await queueOrder(console_);
    expect(answered.indexOf(rest.conversation_id)).toBeLessThan(answered.indexOf(conversationId));
    await screenshots(console_, 'operator-conversation');

    // Handing it back asks once more, inline; "No" changes nothing.
    await console_.setViewportSize(PHONE);
    expect(await console_.isVisible('#tab-queue')).toBe(false); // "← En espera" is the way back
    expect(await console_.isVisible('#conversation .back')).toBe(true);
    const release = console_.locator('#release');
    expect(await release.textContent()).toBe('Devolver al asistente');
    expect(await release.getAttribute('title')).toMatch(/asistente automático vuelve a responder/);
    expect(await release.evaluate((button) => getComputedStyle(button).backgroundColor)).toBe('rgb(255, 255, 255)');
    await release.click();
    expect(await console_.isVisible('#release-confirm')).toBe(true);
    expect(await console_.textContent('#release-ask')).toBe('¿Seguro?');
    expect(await release.isVisible()).toBe(false);
    await console_.screenshot({ path: `${ARTIFACTS}operator-release-confirm-390.png` });
    await console_.click('#release-no');
    expect(await release.isVisible()).toBe(true);
    expect(await console_.isVisible('#release-confirm')).toBe(false);
    expect(await console_.isEnabled('#reply-send')).toBe(true);
    expect(await visitor.count()).toBe(1);

    // "Sí, devolver": it leaves the list, the user is back with the assistant, no more replies.
    await release.click();
    await console_.click('#release-yes');
    await expect.poll(() => queueItem(console_, conversationId).count()).toBe(0);
    await chat.locator('.message--out .message__bubble', { hasText: 'asistente automático' }).waitFor();
    await expect.poll(() => chat.isHidden('#handoff')).toBe(true);
    await expect.poll(() => console_.isDisabled('#reply-send')).toBe(true);
    expect(await console_.textContent('#conversation-note')).toMatch(/ya no espera a una persona/);
    // The note below the transcript does not cover its last message: the transcript still shows its end.
    await transcript(console_).filter({ hasText: 'asistente automático' }).waitFor();
    expect(await transcript(console_).last().textContent()).toMatch(/asistente automático/);
    expect(await console_.locator('#transcript').evaluate((list) => list.scrollHeight > list.clientHeight)).toBe(true);
    await expect.poll(() => transcriptGap(console_)).toBeLessThan(4);
    expect(await console_.isVisible('#release-confirm')).toBe(false);
    await console_.screenshot({ path: `${ARTIFACTS}operator-released-390.png` });
    expect(await maria.count()).toBe(1);
    await closeAll();
  });

  it('on a phone, shows the list or one conversation at a time', async () => {
    const waiting = await web.send('phone-console', 'hablar con un supervisor', { user_name: 'Pedro Rojas' });
    const page = await openConsole({ viewport: PHONE });
    const item = queueItem(page, waiting.conversation_id);
    await item.waitFor();
    expect(await page.isVisible('#placeholder')).toBe(false);

    await item.click();
    await transcript(page).filter({ hasText: 'hablar con un supervisor' }).waitFor();
    expect(await page.isVisible('#queue')).toBe(false);
    expect(await page.textContent('#conversation-title')).toBe('Pedro Rojas');
    expect(await page.isVisible('#reply-text')).toBe(true);
    await expect.poll(() => page.isEnabled('#reply-text')).toBe(true);
    // No keyboard pops up over the transcript; one way back, not the tabs too.
    expect(await page.evaluate(() => document.activeElement?.id)).not.toBe('reply-text');
    expect(await page.isVisible('.tabs')).toBe(false);
    expect(await sideScroll(page)).toBe(0);

    await page.getByRole('link', { name: '← En espera' }).first().click();
    await item.waitFor();
    expect(await page.isVisible('#conversation')).toBe(false);

    // Out and in again (as someone else): one reply is sent once, signed by who is signed in now.
    await page.click('#signout');
    await page.locator('#signin').waitFor();
    // Only the token is forgotten: the name and role are filled in for the next sign-in.
    expect(await page.evaluate(() => sessionStorage.getItem('omnibot.operator'))).not.toContain(ADMIN_TOKEN);
    expect(await page.inputValue('#agent-name')).toBe('Ana');
    expect(await page.inputValue('#agent-role')).toBe('supervisora');
    expect(await page.inputValue('#token')).toBe('');
    await signIn(page, ADMIN_TOKEN, 'Luis', '');
    await item.click();
    await page.fill('#reply-text', 'Voy para allá.');
    await page.press('#reply-text', 'Enter');
    await transcript(page).filter({ hasText: 'Luis: Voy para allá.' }).waitFor();
    const { messages } = await web.messages(waiting.conversation_id, waiting.conversation_token);
    expect(messages.filter((message) => message.text.includes('Voy para allá.')).map((m) => m.text)).toEqual([
      'Luis: Voy para allá.',
    ]);
    await closeAll();
  });

  it('says how long each user has waited, minute by minute, and dims the console while it reconnects', async () => {
    // One asked before the console opened (its wait read from its messages), one while it is open.
    const carla = await web.send('carla-waits', 'necesito hablar con un supervisor', { user_name: 'Carla Díaz' });
    const page = await openConsole({ clock: true, recordSockets: true });
    await queueItem(page, carla.conversation_id).waitFor();
    const jorge = await web.send('jorge-waits', 'hablar con un supervisor', { user_name: 'Jorge Mena' });
    await queueItem(page, jorge.conversation_id).waitFor();
    expect(await waitOf(page, carla.conversation_id)).toBe('Espera hace menos de 1 min');
    expect(await waitOf(page, jorge.conversation_id)).toBe('Espera hace menos de 1 min');
    const order = await queueOrder(page);
    expect(order.indexOf(carla.conversation_id)).toBeLessThan(order.indexOf(jorge.conversation_id));

    await page.clock.pauseAt(Date.now() + 1_000);
    await page.clock.fastForward('12:00');
    await expect.poll(() => waitOf(page, carla.conversation_id)).toBe('Espera hace 12 min');
    await page.clock.fastForward('53:00');
    await expect.poll(() => waitOf(page, jorge.conversation_id)).toBe('Espera hace 1 h 5 min');
    expect(await waitOf(page, carla.conversation_id)).toBe('Espera hace 1 h 5 min');

    // The socket drops: a strip says so and the console is dimmed until it is back.
    await page.evaluate(() => (window as unknown as RecordingWindow).sockets.at(-1)?.close());
    await expect.poll(() => page.textContent('#connection-strip')).toMatch(/^Sin conexión: reconectando…/);
    expect(await page.isVisible('#connection-strip')).toBe(true);
    expect(Number(await page.locator('#workspace').evaluate((w) => getComputedStyle(w).opacity))).toBeLessThan(1);
    await screenshots(page, 'operator-reconnecting');
    await page.clock.runFor(20_000); // the reconnect timer fires
    await expect.poll(() => page.textContent('#connection')).toBe('En línea');
    expect(await page.isVisible('#connection-strip')).toBe(false);
    expect(await page.locator('#workspace').evaluate((w) => getComputedStyle(w).opacity)).toBe('1');
    await closeAll();
  });

  it('keeps what the operator has seen across a reload: "Nueva" hand-offs, "Nuevo mensaje" after a visit', async () => {
    const rosa = await web.send('rosa-seen', 'hablar con un supervisor', { user_name: 'Rosa Díaz' });
    const page = await openConsole();
    await queueItem(page, rosa.conversation_id).waitFor();
    expect(await badgeOf(page, rosa.conversation_id)).toBe('Nueva');

    // Opened, then back to the list: nothing new; her next message is.
    await queueItem(page, rosa.conversation_id).click();
    await transcript(page).filter({ hasText: 'Un supervisor revisará' }).waitFor();
    await page.click('#tab-queue');
    expect(await badgeOf(page, rosa.conversation_id)).toBeNull();
    await web.send('rosa-seen', 'sigo esperando');
    await expect.poll(() => badgeOf(page, rosa.conversation_id)).toBe('Nuevo mensaje');

    // Another one, which a colleague (Luis) answers from another console.
    const tomas = await web.send('tomas-seen', 'hablar con un supervisor', { user_name: 'Tomás Vera' });
    await queueItem(page, tomas.conversation_id).waitFor();
    expect(await badgeOf(page, tomas.conversation_id)).toBe('Nueva');
    await replyAs(tomas.conversation_id, 'Te llamo en cinco minutos.', 'Luis', 'jefe de turno');
    await expect.poll(() => chipOf(page, tomas.conversation_id)).toBe('Atiende Luis (jefe de turno)');

    // A reload keeps the marks and reads who answers from the transcript.
    await page.reload();
    await queueItem(page, tomas.conversation_id).waitFor();
    expect(await badgeOf(page, rosa.conversation_id)).toBe('Nuevo mensaje');
    expect(await badgeOf(page, tomas.conversation_id)).toBe('Nueva');
    expect(await chipOf(page, rosa.conversation_id)).toBe('Sin respuesta');
    expect(await chipOf(page, tomas.conversation_id)).toBe('Atiende Luis (jefe de turno)');
    expect(await waitOf(page, tomas.conversation_id)).toBe('Derivada hace menos de 1 min');
    const order = await queueOrder(page);
    expect(order.indexOf(rosa.conversation_id)).toBeLessThan(order.indexOf(tomas.conversation_id));
    expect(await page.title()).toMatch(/^\(\d+\) Consola de operadores/);

    // Seen again, then reloaded: no mark.
    await queueItem(page, rosa.conversation_id).click();
    await transcript(page).filter({ hasText: 'sigo esperando' }).waitFor();
    await page.click('#tab-queue');
    await page.reload();
    await queueItem(page, rosa.conversation_id).waitFor();
    expect(await badgeOf(page, rosa.conversation_id)).toBeNull();
    expect(await badgeOf(page, tomas.conversation_id)).toBe('Nueva');
    await closeAll();
  });

  it('names users by channel when it has no name, with the full id in a tooltip', async () => {
    const page = await openConsole();
    // The page's own module (a string: the test runner leaves it as the browser's import).
    const names = await page.evaluate(`import('/operator/dom.js').then(({ displayName }) => [
      displayName('web:~871b5b98-1c2d-4e5f-8a9b-0c1d2e3f4a5b', 'web', null),
      displayName('whatsapp:56912345678', 'whatsapp', null),
      displayName('telegram:99887766', 'telegram', null),
      displayName('sms:+56987654321', 'sms', null),
      displayName('whatsapp:56912345678', 'whatsapp', 'Juan Pérez'),
    ])`);
    expect(names).toEqual([
      'Visitante web · 871b5b',
      'WhatsApp · …5678',
      'Telegram · …7766',
      'SMS · …4321',
      'Juan Pérez',
    ]);
    await closeAll();
  });

  it('shows the timeline of a failure report, with states and the workflow answer, and follows it live', async () => {
    const user = 'timeline-console';
    const first = await web.send(user, 'reportar falla');
    const id = first.conversation_id;
    await web.send(user, 'CAT-001');
    await web.send(user, 'Fuga de aceite hidráulico en el brazo principal');
    await web.send(user, '', { action: 'priority:alta' });
    await web.send(user, '', { action: 'confirm:yes' });
    const reported = await web.waitForReply(id, first.conversation_token, /Falla reportada/);
    const [order] = /OT-CORR-[\w-]+/.exec(reported)!;

    const page = await openConsole();
    await page.click('#tab-timeline');
    // A mistyped id is not a conversation without events.
    await page.fill('#timeline-id', 'telegram:000000404');
    await page.click('#timeline-form button[type="submit"]');
    await expect.poll(() => page.textContent('#timeline-status')).toMatch(/^No encontré esa conversación\./);
    await page.fill('#timeline-id', id);
    await page.click('#timeline-form button[type="submit"]');
    const rows = page.locator('#timeline-rows tr');
    const result = rows.filter({ has: page.locator('[data-label="Evento"]', { hasText: 'workflow.result' }) });
    await result.waitFor();
    const first_ = rows.first();
    expect(await first_.locator('[data-label="Evento"]').textContent()).toContain('reportar falla');
    // Every row has its state before → after; the reported failure's row ends back at the menu.
    for (const row of await rows.all()) {
      expect(await row.locator('.state').textContent()).toMatch(/^.+ → .+$/);
    }
    expect(await result.locator('[data-label="Canal"]').textContent()).toBe('Web');
    expect(await result.locator('.actor__name').allTextContents()).toContain('reportar_falla');
    expect(await result.locator('.actor__output').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining(order)]),
    );
    const started = rows.filter({ has: page.locator('.actor__name', { hasText: 'startWorkflow' }) });
    expect(await started.count()).toBe(1);
    expect(await page.textContent('#timeline-status')).toMatch(/^\d+ eventos · en vivo$/);
    await screenshots(page, 'operator-timeline', { focus: result });
    // Only the events scroll: the form and the status line stay in view above them.
    const scrolled = await page.locator('#timeline-scroll').evaluate((scroller) => {
      scroller.scrollTop = scroller.scrollHeight;
      return scroller.scrollTop;
    });
    expect(scrolled).toBeGreaterThan(0);
    const status = await page.locator('#timeline-status').boundingBox();
    const header = await page.locator('#timeline-table th').first().boundingBox();
    expect(status && header && status.y + status.height <= header.y).toBe(true);
    expect(await page.isVisible('#timeline-form')).toBe(true);

    // Live: the user writes again; the new row appears without a reload.
    const before = await rows.count();
    await web.send(user, 'hola');
    await expect.poll(() => rows.count()).toBe(before + 1);
    expect(await rows.last().locator('[data-label="Evento"]').textContent()).toContain('hola');
    await closeAll();
  });

  it('serves GraphiQL from its own assets: the editor shows with the internet cut off', async () => {
    const page = await openPage('/graphql');
    await page.locator('.graphiql-container').first().waitFor();
    await page.locator('.graphiql-query-editor').first().waitFor();
    await screenshots(page, 'graphiql', { fits: false }); // GraphiQL's own layout (not ours)
    await closeAll();
  });
});
