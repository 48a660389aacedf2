import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { ARTIFACTS, launchChromium, sideScroll } from './support.ts';

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** What a browser profile did: every request's URL and its pages' console errors. */
interface Recording {
  requests: string[];
  consoleErrors: string[];
}

type ViolationWindow = Window & { cspViolations: string[] };

async function record(context: BrowserContext): Promise<Recording> {
  const recording: Recording = { requests: [], consoleErrors: [] };
  context.on('request', (request) => recording.requests.push(request.url()));
  context.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) {
      recording.consoleErrors.push(`${message.text()} (${message.location().url})`);
    }
  });
  // Runs in every document, whatever its CSP (injected by the browser, not by the page).
  await context.addInitScript(() => {
    const log: string[] = [];
    (window as unknown as ViolationWindow).cspViolations = log;
    document.addEventListener('securitypolicyviolation', (event) =>
      log.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return recording;
}

const violationsOf = (page: Page) => page.evaluate(() => (window as unknown as ViolationWindow).cspViolations);

const botMessages = (page: Page) => page.locator('.message--out .message__bubble');

/** Fills the link form and submits it; resolves with the page's answer once it shows. */
async function submit(page: Page, username: string, password: string, shows: string): Promise<Response> {
  const answer = page.waitForResponse((response) => response.request().method() === 'POST');
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('button[type="submit"]');
  const response = await answer;
  await page.locator(shows).waitFor();
  return response;
}

const VIEWPORTS = [
  { name: '390', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
] as const;

describe.each(VIEWPORTS)('account-link page from the web chat at $name', (size) => {
  let gateway: Gateway;
  // A gateway per size: the tries left on a code are counted per client address too.
  beforeAll(async () => {
    gateway = await startGateway({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('links the account through the link in the chat, and the chat confirms it live', async () => {
    const { name, ...device } = size;
    const context = await browser.newContext({ locale: 'es-CL', ...device });
    const recording = await record(context);
    const chat = await context.newPage();
    chat.setDefaultTimeout(15_000);
    await chat.goto(gateway.url);
    await expect.poll(() => chat.isEnabled('#text')).toBe(true);

    // 1. "vincular cuenta" answers with a clickable one-time link.
    await chat.fill('#text', 'vincular cuenta');
    await chat.press('#text', 'Enter');
    const anchor = botMessages(chat).locator('a[href*="/link/"]');
    await anchor.waitFor();
    const href = (await anchor.getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^${gateway.url}/link/[A-Za-z0-9_-]+$`));
    expect(await anchor.textContent()).toBe(href);
    expect(await anchor.getAttribute('target')).toBe('_blank');
    expect(await anchor.locator('xpath=..').textContent()).toMatch(
      /Para vincular tu cuenta del CMMS abre este enlace .*: http\S+\. Ahí ingresas tu usuario y contraseña/,
    );
    expect(await sideScroll(chat)).toBe(0);
    await chat.screenshot({ path: `${ARTIFACTS}link-chat-link-${name}.png`, fullPage: true });

    const opened = context.waitForEvent('page');
    const served = context.waitForEvent('response', (response) => response.url() === href);
    await anchor.click();
    const link = await opened;
    link.setDefaultTimeout(15_000);
    const form = await served;
    expect(form.status()).toBe(200);
    expect(form.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    await link.locator('form #password').waitFor();
    expect(await link.title()).toBe('Vincular tu cuenta del CMMS');
    expect(await link.textContent('h1')).toBe('Vincular tu cuenta del CMMS');
    expect(await link.textContent('main')).toMatch(/Vas a vincular este chat web con tu cuenta del CMMS/);
    expect(await link.isVisible('button[type="submit"]')).toBe(true);
    expect(await sideScroll(link)).toBe(0);
    await link.screenshot({ path: `${ARTIFACTS}link-form-${name}.png`, fullPage: true });

    // 2. A wrong password: the form again, with the error and the tries left; the username is kept.
    const refused = await submit(link, 'tecnico1', 'no-es-la-clave', '.error');
    expect(refused.status()).toBe(401);
    expect(refused.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    expect(await link.textContent('.error')).toBe('Usuario o contraseña incorrectos. Te quedan 4 intentos.');
    expect(await link.inputValue('#username')).toBe('tecnico1');
    expect(await link.inputValue('#password')).toBe('');
    expect(await sideScroll(link)).toBe(0);
    expect(await violationsOf(link)).toEqual([]);
    await link.screenshot({ path: `${ARTIFACTS}link-error-${name}.png`, fullPage: true });

    // The right password: the success page, and the chat (never reloaded) says so by itself.
    const linked = await submit(link, 'tecnico1', 'tecnico1', '.ok');
    expect(linked.status()).toBe(200);
    expect(await link.textContent('h1')).toBe('Cuenta vinculada');
    expect(await link.textContent('.ok')).toBe(
      'Listo, Juan Pérez (Técnico): tu cuenta quedó vinculada. Vuelve al chat.',
    );
    expect(await sideScroll(link)).toBe(0);
    expect(await violationsOf(link)).toEqual([]);
    await link.screenshot({ path: `${ARTIFACTS}link-success-${name}.png`, fullPage: true });

    const confirmation = botMessages(chat).filter({ hasText: 'Listo, Juan Pérez (Técnico)' });
    await confirmation.waitFor();
    expect(await confirmation.textContent()).toMatch(/^Listo, Juan Pérez \(Técnico\): tu cuenta quedó vinculada\./);
    expect(await sideScroll(chat)).toBe(0);
    await chat.bringToFront();
    await chat.screenshot({ path: `${ARTIFACTS}link-chat-${name}.png`, fullPage: true });

    // 3. The link is used up: opening it again, or posting to it, says so.
    const again = await link.goto(href);
    expect(again?.status()).toBe(404);
    expect(await link.textContent('.error')).toMatch(/Este enlace ya no es válido \(ya se usó o venció\)/);
    expect(await sideScroll(link)).toBe(0);
    await link.screenshot({ path: `${ARTIFACTS}link-used-${name}.png`, fullPage: true });
    const posted = await context.request.post(href, { form: { username: 'tecnico1', password: 'tecnico1' } });
    expect(posted.status()).toBe(404);
    expect(await posted.text()).toContain('ya no es válido');

    // Nothing left the gateway's origin, and nothing was refused by a CSP.
    const origin = new URL(gateway.url).host;
    expect(recording.requests.filter((url) => new URL(url).host !== origin)).toEqual([]);
    expect(recording.requests).toContain(href);
    // (Its only console errors are the answers' own statuses: 401 after a wrong password, 404 when used up.)
    expect(recording.consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    expect([...(await violationsOf(link)), ...(await violationsOf(chat))]).toEqual([]);
    await context.close();
  });
});
