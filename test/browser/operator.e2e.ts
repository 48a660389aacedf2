import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  badgeOf,
  chipOf,
  queueItem,
  queueOrder,
  signIn,
  transcript,
  useConsoleGateway,
  waitOf,
} from './operator-support.ts';
import { ARTIFACTS, DESKTOP, PHONE, screenshots, sideScroll } from './support.ts';

const rig = useConsoleGateway();

/** How far the transcript is from showing its end (0: it shows the last message). */
const transcriptGap = (page: Page) =>
  page.locator('#transcript').evaluate((list) => list.scrollHeight - list.scrollTop - list.clientHeight);

describe('operator console', () => {
  it('is served with a same-origin-only policy', async () => {
    for (const path of ['/operator', '/operator/console.js', '/operator/console.css', '/operator/timeline.js']) {
      const response = await fetch(`${rig.gateway.url}${path}`);
      expect(response.status, path).toBe(200);
      const policy = response.headers.get('content-security-policy');
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("connect-src 'self'");
      expect(policy).toContain("script-src 'self'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('refuses a wrong token and a conversation token, saying why', async () => {
    const page = await rig.openPage('/operator');
    expect(await page.title()).toBe('Consola de operadores · Somacor');
    await signIn(page, 'not-the-token');
    await expect.poll(() => page.textContent('#signin-error')).toBe('El token no es válido.');

    const { conversation_token: conversationToken } = await rig.web.send('console-forbidden', 'hola');
    await signIn(page, conversationToken);
    await expect
      .poll(() => page.textContent('#signin-error'))
      .toBe('Ese token no da acceso a la consola: pide el token de administrador a quien administra omnibot.');
    expect(await page.isHidden('#workspace')).toBe(true);
    await screenshots(page, 'operator-signin');
    await rig.closeAll();
  });

  it('answers a user who asked for a person as "Ana (supervisora)", live on both sides, then hands back', async () => {
    const console_ = await rig.openConsole();
    expect(await console_.textContent('#who')).toContain('Ana (supervisora)');

    // A web chat user asks for a person: the conversation appears in the waiting list live.
    const chat = await rig.openPage('/', { viewport: PHONE });
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
    const rest = await rig.web.send('maria-console', 'hablar con un supervisor', { user_name: 'María Soto' });
    expect(rest.status).toBe('handoff');
    const maria = queueItem(console_, rest.conversation_id);
    await maria.waitFor();
    expect(await maria.locator('.queue__who').textContent()).toBe('María Soto');
    await rig.web.send('maria-console', 'la excavadora sigue detenida');
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
    await rig.closeAll();
  });

  it('on a phone, shows the list or one conversation at a time', async () => {
    const waiting = await rig.web.send('phone-console', 'hablar con un supervisor', { user_name: 'Pedro Rojas' });
    const page = await rig.openConsole({ viewport: PHONE });
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
    const { messages } = await rig.web.messages(waiting.conversation_id, waiting.conversation_token);
    expect(messages.filter((message) => message.text.includes('Voy para allá.')).map((m) => m.text)).toEqual([
      'Luis: Voy para allá.',
    ]);
    await rig.closeAll();
  });

  it('names users by channel when it has no name, with the full id in a tooltip', async () => {
    const page = await rig.openConsole();
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
    await rig.closeAll();
  });
});
