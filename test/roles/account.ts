import { expect } from 'vitest';
import { logOutEverywhere } from './cmms.ts';
import { ADMIN_TOKEN, type RoleHarness } from './harness.ts';
import { linkAs } from './link.ts';
import { literal, PEOPLE, SEED } from './people.ts';

const eventsStatus = async (h: RoleHarness, conversationId: string) =>
  (
    await fetch(`${h.gateway.url}/admin/conversations/${encodeURIComponent(conversationId)}/events`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
  ).status;

/** The value once it is `wanted`, or the last one read after 10 s (`expect.poll` needs a test of its own, not a concurrent one). */
async function settled<T>(read: () => Promise<T>, wanted: T): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (value === wanted || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A linked user (solicitante1, Valentina Reyes) erases their data: confirmation, then the
 * conversation's events and transcript are gone for admins too, and the link with them.
 */
export async function eraseFlow(h: RoleHarness, n: number): Promise<void> {
  const { valentina } = PEOPLE;
  const user = h.user(n, valentina.fullName);
  await linkAs(h, user, valentina.username, valentina);
  await user.say('mis OT');
  await user.next(/^No tienes órdenes de trabajo\./);
  expect(await eventsStatus(h, user.conversationId)).toBe(200);

  await user.say('borrar mis datos');
  const ask = await user.next(/^Voy a borrar tus datos de este chat/);
  expect(ask.text).toMatch(/¿Confirmas\?$/);
  await user.press(ask, 'confirm:yes');
  await user.next(/^Listo, borré tus datos de este chat/);
  // The erase follows the hand-over of the turn's replies.
  expect(await settled(() => eventsStatus(h, user.conversationId), 404)).toBe(404);
  expect(await h.gateway.store.readTranscript(user.conversationId, 50)).toEqual([]);

  await user.say('mis OT');
  const ask2 = await user.next(/Para vincular tu cuenta del CMMS abre este enlace/);
  expect(ask2.text).toMatch(/^Para eso necesito saber quién eres en el CMMS\./);
}

/**
 * The CMMS forgets a linked user's token (tecnico4, Carla Rojas, logged out in the CMMS): the
 * next action tells the session is no longer valid with a new link, and runs once they link again.
 */
export async function expiredSessionFlow(h: RoleHarness, n: number): Promise<void> {
  const { carla } = PEOPLE;
  const user = h.user(n, carla.fullName);
  await linkAs(h, user, carla.username, carla);
  await logOutEverywhere(h.cmmsApi, carla.username);

  await user.say('mis OT');
  const relink = await user.next(/^Tu sesión del CMMS ya no es válida/);
  expect(relink.text).toMatch(/Para vincular tu cuenta del CMMS abre este enlace/);
  expect(relink.text).toMatch(/Cuando termines, vuelvo a intentar tu solicitud\.$/);
  const linked = await linkAs(h, user, carla.username, carla, { linkMessage: relink });
  expect(linked.text).toMatch(/Sigo con tu solicitud\.$/);
  const mine = await user.next(new RegExp(`^(?!Procesando)[^]*${literal(SEED.carlasOrder)}`));
  expect(mine.text).toMatch(/^Tus órdenes de trabajo/);
}
