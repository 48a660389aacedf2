import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrderChangedEvent } from '../../core/runtime/model.ts';
import { orderChangedEvents, until, untilSeen } from '../notify/support.ts';
import { allOrders, changeOrderAsSupervisor, stateId } from './cmms.ts';
import { CHANNELS, type RoleHarness, type RoleUser, startRoleHarness } from './harness.ts';
import { linkAs } from './link.ts';
import { literal, PEOPLE, SEED } from './people.ts';

/**
 * Order-change notifications on each channel, end to end: the in-process poller of the embedded
 * defaults (Redis, embedded runner and demo CMMS) finds that a supervisor assigned an order in the
 * CMMS and tells the linked technician on their channel; "no quiero notificaciones" silences the next
 * change and "activar notificaciones" brings them back.
 */

const FLOW_TIMEOUT_MS = 60_000;

/** What the technicians heard, per channel, for the closing note (`PRINT_TRANSCRIPTS=1`). */
const heard: string[] = [];

/** How long the poller may take to see a change (several rounds of NOTIFY_POLL_INTERVAL_MS on a busy machine). */
const SEEN_TIMEOUT_MS = 20_000;

/** Waits until the chat took an `order.changed` turn to `state` (told or silenced); the states it took. */
async function untilChatTook(h: RoleHarness, user: RoleUser, state: string): Promise<string[]> {
  const statesTaken = async () =>
    (await orderChangedEvents(h.gateway.store, user.conversationId)).map(
      (entry) => (entry.event as unknown as OrderChangedEvent).change.state,
    );
  return until(statesTaken, (states) => states.includes(state), SEEN_TIMEOUT_MS);
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
      expect(await untilSeen(h.prefix, order.idordentrabajo, 0, SEEN_TIMEOUT_MS)).toBe(0);

      await changeOrderAsSupervisor(h.cmmsApi, order.idordentrabajo, {
        idtecnicoasignado: pedro.id,
        idestadoot: stateId('Asignada'),
      });
      const number = literal(SEED.unassigned);
      // Told once the poller has seen the change: as long as that may take.
      const assigned = await user.next(
        new RegExp(`^Se te asignó la orden ${number} del equipo .+ \\(estado Asignada\\)\\.`),
        SEEN_TIMEOUT_MS,
      );
      expect(assigned.text).toMatch(/Si no quieres recibir estos avisos, escribe "no quiero notificaciones"\.$/);
      heard.push(`${channel}: ${assigned.text}`);

      await user.say('no quiero notificaciones');
      heard.push(`${channel}: > no quiero notificaciones`);
      heard.push(`${channel}: ${(await user.next(/^Listo, en este chat ya no te avisaré/)).text}`);
      await changeOrderAsSupervisor(h.cmmsApi, order.idordentrabajo, { idestadoot: stateId('En Progreso') });
      // Pedro's chat took the change while silenced (and said nothing): only then may he switch back on.
      // The poller saves a change before it tells the chats, so "seen" alone is too early a signal.
      expect(await untilChatTook(h, user, 'En Progreso')).toContain('En Progreso');

      await user.say('activar notificaciones');
      heard.push(`${channel}: > activar notificaciones`);
      heard.push(`${channel}: ${(await user.next(/^Listo, te avisaré en este chat/)).text}`);
      await changeOrderAsSupervisor(h.cmmsApi, order.idordentrabajo, {
        idestadoot: stateId('Completada'),
        observacionesfinales: 'Se cambió el filtro hidráulico',
      });
      const completed = await user.next(
        new RegExp(`^La orden ${number} del equipo .+ pasó a Completada\\.`),
        SEEN_TIMEOUT_MS,
      );
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
