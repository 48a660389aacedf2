import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORK_ORDER_STATES } from '../../core/cmms/demo-data.ts';
import { connectRedis } from '../support/redis.ts';
import { allOrders } from './cmms.ts';
import { CHANNELS, type RoleHarness, startRoleHarness } from './harness.ts';
import { linkAs } from './link.ts';
import { literal, PEOPLE, SEED } from './people.ts';

/**
 * Order-change notifications on each channel, end to end: the in-process poller of the embedded
 * defaults (Redis, embedded runner and demo CMMS) finds that a supervisor assigned an order in the
 * CMMS and tells the linked technician on their channel; "no quiero notificaciones" silences the next
 * change and "activar notificaciones" brings them back.
 */

const FLOW_TIMEOUT_MS = 60_000;
const stateId = (name: string) => WORK_ORDER_STATES.indexOf(name) + 1;

/** What the technicians heard, per channel, for the closing note (`PRINT_TRANSCRIPTS=1`). */
const heard: string[] = [];

/** Changes an order in the demo CMMS over its API, signed in as supervisor1 (Carolina Muñoz). */
async function changeAsSupervisor(h: RoleHarness, orderId: number, change: Record<string, unknown>) {
  const login = await fetch(`${h.cmmsApi}/login/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: PEOPLE.carolina.username, password: PEOPLE.carolina.username }),
  });
  const { token } = (await login.json()) as { token: string };
  const patched = await fetch(`${h.cmmsApi}/ordenes-trabajo/${orderId}/`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Token ${token}` },
    body: JSON.stringify(change),
  });
  expect(patched.status).toBe(200);
}

/** The poller's record of an order (`<prefix>notify:seen`): its change sequence once told and saved. */
async function seenSequence(h: RoleHarness, orderId: number): Promise<number> {
  const redis = connectRedis();
  try {
    const raw = await redis.hget(`${h.prefix}notify:seen`, `order:${orderId}`);
    return raw ? Number(JSON.parse(raw).sequence ?? 0) : -1;
  } finally {
    await redis.quit();
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.concurrent.each(CHANNELS)('notifications on %s', (channel) => {
  let h: RoleHarness;
  beforeAll(async () => {
    h = await startRoleHarness(channel, { NOTIFY_POLL_INTERVAL_MS: '200' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it(
    'a technician hears of an assignment once, can switch the notices off and on again',
    async () => {
      const { pedro } = PEOPLE;
      const user = h.user(1, pedro.fullName);
      await linkAs(h, user, pedro.username, pedro);
      const order = (await allOrders(h.cmmsApi)).find((o) => o.numeroot === SEED.unassigned)!;
      // The first round is the baseline: the orders as they were are nobody's news.
      expect(
        await until(
          () => seenSequence(h, order.idordentrabajo),
          (seq) => seq === 0,
        ),
      ).toBe(0);

      await changeAsSupervisor(h, order.idordentrabajo, {
        idtecnicoasignado: pedro.id,
        idestadoot: stateId('Asignada'),
      });
      const number = literal(SEED.unassigned);
      const assigned = await user.next(
        new RegExp(`^Se te asignó la OT ${number} del equipo .+ \\(estado Asignada\\)\\.`),
      );
      expect(assigned.text).toMatch(/Si no quieres recibir estos avisos, escribe "no quiero notificaciones"\.$/);
      heard.push(`${channel}: ${assigned.text}`);

      await user.say('no quiero notificaciones');
      heard.push(`${channel}: > no quiero notificaciones`);
      heard.push(`${channel}: ${(await user.next(/^Listo, ya no te avisaré/)).text}`);
      await changeAsSupervisor(h, order.idordentrabajo, { idestadoot: stateId('En Progreso') });
      // Seen and saved as change 2: the poller is done with it, and Pedro was not told.
      expect(
        await until(
          () => seenSequence(h, order.idordentrabajo),
          (seq) => seq === 2,
        ),
      ).toBe(2);

      await user.say('activar notificaciones');
      heard.push(`${channel}: > activar notificaciones`);
      heard.push(`${channel}: ${(await user.next(/^Listo, te avisaré por aquí/)).text}`);
      await changeAsSupervisor(h, order.idordentrabajo, {
        idestadoot: stateId('Completada'),
        observacionesfinales: 'Se cambió el filtro hidráulico',
      });
      const completed = await user.next(new RegExp(`^La OT ${number} del equipo .+ pasó a Completada\\.`));
      expect(completed.text).toContain('Observaciones: Se cambió el filtro hidráulico.');
      heard.push(`${channel}: ${completed.text}`);

      const told = (await h.gateway.store.readTranscript(user.conversationId, 100)).filter(
        (entry) => entry.direction === 'out' && entry.text.includes(SEED.unassigned),
      );
      // Assigned and completed, each once; nothing of the silenced "En Progreso".
      expect(told.map((entry) => entry.kind)).toEqual(['notification', 'notification']);
      expect(told.some((entry) => entry.text.includes('En Progreso'))).toBe(false);
    },
    FLOW_TIMEOUT_MS,
  );
});

afterAll(() => {
  if (process.env.PRINT_TRANSCRIPTS) console.log(heard.join('\n'));
});
