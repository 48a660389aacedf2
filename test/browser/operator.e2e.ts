import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { webClient } from '../support/web-client.ts';
import { ARTIFACTS, DESKTOP, launchChromium, offlineContext, PHONE, screenshots, sideScroll } from './support.ts';

const ADMIN_TOKEN = 'operator-console-test-admin-token';

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

async function openPage(path: string, viewport = DESKTOP): Promise<Page> {
  const offline = await offlineContext(browser, viewport);
  opened.push(offline);
  const page = await offline.context.newPage();
  page.setDefaultTimeout(15_000);
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

async function openConsole(viewport = DESKTOP): Promise<Page> {
  const page = await openPage('/operator', viewport);
  await signIn(page, ADMIN_TOKEN);
  await page.locator('#workspace').waitFor();
  await expect.poll(() => page.textContent('#connection')).toBe('En línea');
  return page;
}

const queueItem = (page: Page, conversationId: string) => page.locator(`.queue__item[data-id="${conversationId}"]`);
const transcript = (page: Page) => page.locator('#transcript .msg__text');

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
    await expect.poll(() => page.textContent('#signin-error')).toMatch(/no es el de administrador/);
    expect(await page.isHidden('#workspace')).toBe(true);
    await screenshots(page, 'operator-signin');
    await closeAll();
  });

  it('answers a user who asked for a person as "Ana (supervisora)", live on both sides, then releases', async () => {
    const console_ = await openConsole();
    expect(await console_.textContent('#who')).toContain('Ana (supervisora)');

    // A web chat user asks for a person: the conversation appears in the waiting list live.
    const chat = await openPage('/', PHONE);
    await expect.poll(() => chat.isEnabled('#text')).toBe(true);
    const { conversationId } = await chat.evaluate(() => JSON.parse(localStorage.getItem('omnibot.webchat')!));
    await chat.fill('#text', 'quiero hablar con un supervisor');
    await chat.press('#text', 'Enter');
    await queueItem(console_, conversationId).waitFor();
    await expect.poll(() => chat.textContent('#handoff-who')).toBe('Esperando a un supervisor…');

    // A second one over the REST API (its backend names the user); it writes again: marked as new.
    const rest = await web.send('maria-console', 'hablar con un supervisor', { user_name: 'María Soto' });
    expect(rest.status).toBe('handoff');
    const maria = queueItem(console_, rest.conversation_id);
    await maria.waitFor();
    expect(await maria.locator('.queue__who').textContent()).toBe('María Soto');
    await web.send('maria-console', 'la excavadora sigue detenida');
    await expect.poll(() => maria.locator('.queue__last').textContent()).toBe('la excavadora sigue detenida');
    expect(await maria.getAttribute('class')).toContain('queue__item--unread');
    await screenshots(console_, 'operator-list');

    // Open the web chat user's conversation: its transcript, then what the user writes, live.
    await queueItem(console_, conversationId).click();
    await transcript(console_).filter({ hasText: 'quiero hablar con un supervisor' }).waitFor();
    await transcript(console_).filter({ hasText: 'Un supervisor revisará' }).waitFor();
    await chat.fill('#text', 'mi OT-CORR-1 sigue sin técnico');
    await chat.press('#text', 'Enter');
    await transcript(console_).filter({ hasText: 'mi OT-CORR-1 sigue sin técnico' }).waitFor();

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

    // The console shows the reply once, signed.
    const reply = console_.locator('#transcript .msg--agent');
    await reply.waitFor();
    await expect.poll(() => reply.count()).toBe(1);
    expect(await reply.locator('.msg__meta').textContent()).toMatch(/^Ana \(supervisora\) · /);
    expect(await reply.locator('.msg__text').textContent()).toBe(signed);
    await screenshots(console_, 'operator-conversation');

    // Released: it leaves the list, the user is back with the assistant, no more replies.
    await console_.click('#release');
    await expect.poll(() => queueItem(console_, conversationId).count()).toBe(0);
    await chat.locator('.message--out .message__bubble', { hasText: 'Volviste al asistente' }).waitFor();
    await expect.poll(() => chat.isHidden('#handoff')).toBe(true);
    await expect.poll(() => console_.isDisabled('#reply-send')).toBe(true);
    expect(await console_.textContent('#conversation-note')).toMatch(/ya no espera a una persona/);
    expect(await maria.count()).toBe(1);
    await closeAll();
  });

  it('on a phone, shows the list or one conversation at a time', async () => {
    const waiting = await web.send('phone-console', 'hablar con un supervisor', { user_name: 'Pedro Rojas' });
    const page = await openConsole(PHONE);
    const item = queueItem(page, waiting.conversation_id);
    await item.waitFor();
    expect(await page.isVisible('#placeholder')).toBe(false);

    await item.click();
    await transcript(page).filter({ hasText: 'hablar con un supervisor' }).waitFor();
    expect(await page.isVisible('#queue')).toBe(false);
    expect(await page.textContent('#conversation-title')).toBe('Pedro Rojas');
    expect(await page.isVisible('#reply-text')).toBe(true);
    expect(await sideScroll(page)).toBe(0);

    await page.getByRole('link', { name: '← En espera' }).first().click();
    await item.waitFor();
    expect(await page.isVisible('#conversation')).toBe(false);

    // Out and in again (as someone else): one reply is sent once, signed by who is signed in now.
    await page.click('#signout');
    await page.locator('#signin').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('omnibot.operator'))).toBeNull();
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
    await screenshots(page, 'operator-timeline', { focus: result });

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
