import { expect } from 'vitest';
import type { SentMessage } from '../support/platform-server.ts';
import { PUBLIC_URL, type RoleHarness, type RoleUser } from './harness.ts';

/** The one-time link in the assistant's message, opened on the gateway (it names `PUBLIC_URL`). */
export function linkIn(harness: RoleHarness, message: SentMessage): string {
  const found = /https?:\/\/[^\s]+\/link\/[A-Za-z0-9_-]+/.exec(message.text);
  if (!found) throw new Error(`no link in ${JSON.stringify(message.text)}`);
  expect(found[0].startsWith(`${PUBLIC_URL}/link/`)).toBe(true);
  return harness.gateway.url + found[0].slice(PUBLIC_URL.length);
}

/** What the link page answers a form post. */
export async function postLinkForm(url: string, clientIp: string, username: string, password: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': clientIp },
    body: new URLSearchParams({ username, password }).toString(),
  });
  return { status: response.status, html: await response.text() };
}

export interface LinkOptions {
  /** The message that carries the link (already read); else the user asks with "vincular cuenta". */
  linkMessage?: SentMessage;
  /** A wrong password first: the page says so and the form stays. */
  wrongPasswordFirst?: boolean;
}

/**
 * Links the user to the demo CMMS account `username` (password = username) the way a person does: the
 * link from the chat, the Spanish form (strict CSP), the form posted, and the confirmation on their
 * channel ("Listo, Juan Pérez (Técnico)…"), which it returns.
 */
export async function linkAs(
  harness: RoleHarness,
  user: RoleUser,
  username: string,
  expected: { fullName: string; role: string },
  options: LinkOptions = {},
): Promise<SentMessage> {
  let linkMessage = options.linkMessage;
  if (!linkMessage) {
    await user.say('vincular cuenta');
    linkMessage = await user.next(/Para vincular tu cuenta del CMMS abre este enlace/);
  }
  expect(linkMessage.text).toMatch(/válido 10 minutos, de un solo uso/);
  expect(linkMessage.text).toMatch(/nunca me los escribas en el chat/);
  const url = linkIn(harness, linkMessage);

  const page = await fetch(url, { headers: { 'x-forwarded-for': user.clientIp } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  expect(page.headers.get('content-security-policy')).toMatch(/form-action 'self'/);
  const form = await page.text();
  expect(form).toContain('<html lang="es">');
  expect(form).toContain('Vincular tu cuenta del CMMS');
  expect(form).toMatch(/<form method="post">/);
  expect(form).toMatch(/name="username"/);
  expect(form).toMatch(/name="password" type="password"/);

  if (options.wrongPasswordFirst) {
    const refused = await postLinkForm(url, user.clientIp, username, `${username}-no`);
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('Usuario o contraseña incorrectos.');
    expect(refused.html).toContain('Te quedan 4 intentos.');
    // The form again, with the username kept and never the password.
    expect(refused.html).toContain(`value="${username}"`);
    expect(refused.html).not.toContain(`${username}-no`);
  }

  const done = await postLinkForm(url, user.clientIp, username, username);
  expect(done.status).toBe(200);
  expect(done.html).toContain(`Listo, ${expected.fullName} (${expected.role}): tu cuenta quedó vinculada.`);
  // Single use: the same link no longer opens the form.
  expect((await fetch(url)).status).toBe(404);

  const linked = await user.next(new RegExp(`^Listo, ${expected.fullName} \\(${expected.role}\\)`));
  expect(linked.text).toMatch(/tu cuenta quedó vinculada/);
  return linked;
}
