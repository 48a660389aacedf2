import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../core/gateway.ts';

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

/** A fresh browser profile on the chat page, recording every status the page shows. */
async function openChat(): Promise<Page> {
  const context = await browser.newContext({ locale: 'es-CL', viewport: { width: 900, height: 760 } });
  const page = await context.newPage();
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
});
