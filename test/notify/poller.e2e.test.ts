import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import { telegramUser } from '../channels/drivers.ts';
import { channelFakes, SECRETS, startChannelGateway } from '../channels/gateway.ts';
import { allOrders, changeOrderAsSupervisor, orderNamed, stateId } from '../roles/cmms.ts';
import { PUBLIC_URL, type RoleHarness, type RoleUser } from '../roles/harness.ts';
import { linkAs } from '../roles/link.ts';
import { literal, PEOPLE } from '../roles/people.ts';
import { finishReport } from '../roles/report.ts';
import { type WebChatUser, webChatUser } from '../roles/web-chat-user.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix } from '../support/redis.ts';
import { baselineEpoch, IDENTITY_KEY, orderChangedEvents, seenState, until, untilSeen } from './support.ts';

/**
 * The in-process poller on the embedded defaults (embedded runner and demo CMMS, Redis): Juan Pérez
 * (tecnico1) in the web chat and Diego Fuentes (operador1, who requests the corrective orders) on
 * Telegram link their accounts; a supervisor assigns an open corrective order to Juan in the CMMS;
 * both hear of it on their channel, once. Then Diego, linked on the web chat too, reports a failure on
 * Telegram: the CMMS makes him its technician, which is no assignment (nobody is told); the supervisor
 * assigns it to Juan (told with its priority and problem), then to María (Juan told he lost it), then
 * completes it without closing observations (Diego is not told the bot's report note as observations).
 */

const ORDER = 'OT-CORR-CAT-002-20261124170414-768';

let platform: PlatformServer;
let gateway: Gateway;
let prefix: string;
let harness: RoleHarness;
let juan: WebChatUser & RoleUser;
let diego: RoleUser;
let diegoWeb: WebChatUser & RoleUser;

beforeAll(async () => {
  platform = await startPlatformServer(channelFakes());
  ({ gateway, prefix } = await startChannelGateway(platform, {
    IDENTITY_REQUIRED: 'report',
    IDENTITY_KEY,
    PUBLIC_URL,
    TRUSTED_PROXY_HOPS: '1',
    NOTIFY_POLL_INTERVAL_MS: '150',
  }));
  const cmmsApi = `${gateway.url}/demo-cmms/api`;
  harness = { channel: 'web', gateway, cmmsApi, prefix, user: () => juan, stop: async () => {} };
  juan = Object.assign(webChatUser({ gatewayUrl: gateway.url }), { clientIp: '198.51.100.21' }) as typeof juan;
  const diegoChat = telegramUser({
    gatewayUrl: gateway.url,
    platform,
    secret: SECRETS.telegramSecret,
    chatId: 7_401,
    name: 'Diego',
  });
  diego = { ...diegoChat, conversationId: 'telegram:7401', clientIp: '198.51.100.22' };
  diegoWeb = Object.assign(webChatUser({ gatewayUrl: gateway.url }), { clientIp: '198.51.100.23' }) as typeof diegoWeb;
});

afterAll(async () => {
  await juan?.close();
  await diegoWeb?.close();
  await gateway?.stop();
  await platform?.close();
  if (prefix) await clearPrefix(prefix);
});

describe('the in-process poller (embedded runner)', () => {
  it('records a baseline first, then tells the assigned technician and the requester, each once', async () => {
    await linkAs(harness, juan, PEOPLE.juan.username, PEOPLE.juan);
    await linkAs(harness, diego, PEOPLE.diego.username, PEOPLE.diego);
    // The first round only records what the orders are: nobody is told of the orders as they were.
    const baseline = await until(
      () => seenState(prefix),
      (seen) => 'baseline' in seen,
    );
    expect(baseline).toHaveProperty('baseline');
    expect(await orderChangedEvents(gateway.store, juan.conversationId)).toEqual([]);

    const order = (await allOrders(harness.cmmsApi)).find((o) => o.numeroot === ORDER)!;
    expect(order).toMatchObject({ estado_nombre: 'Abierta', idtecnicoasignado: null, idsolicitante: PEOPLE.diego.id });
    await changeOrderAsSupervisor(harness.cmmsApi, order.idordentrabajo, {
      idtecnicoasignado: PEOPLE.juan.id,
      idestadoot: stateId('Asignada'),
    });

    // Juan sees it live in the web chat (GraphQL `messages`) and in the transcript.
    const assigned = await juan.next(/^Se te asignó la orden/);
    expect(assigned.text).toMatch(
      new RegExp(`^Se te asignó la orden ${ORDER} del equipo [^(]+ \\(estado Asignada\\)\\.`),
    );
    expect(assigned.text).toContain('Si no quieres recibir estos avisos, escribe "no quiero notificaciones".');
    const transcript = await gateway.store.readTranscript(juan.conversationId, 50);
    expect(transcript.filter((entry) => entry.text.startsWith('Se te asignó la orden'))).toMatchObject([
      { direction: 'out', kind: 'notification' },
    ]);
    // Diego, who asked for the order, on Telegram.
    const told = await diego.next(
      new RegExp(`^La orden ${ORDER} del equipo .+ pasó a Asignada\\. Técnico: Juan Pérez\\.`),
    );
    expect(told.platform).toBe('telegram');

    // Once saved as seen, later rounds find nothing new: each chat was told once.
    await untilSeen(prefix, order.idordentrabajo, 1);
    await diego.say('menú');
    await diego.next(/^Esto es lo que puedo hacer/);
    expect(platform.sent('telegram', '7401').filter((m) => m.text.includes(ORDER))).toHaveLength(1);
    expect(await orderChangedEvents(gateway.store, juan.conversationId)).toHaveLength(1);
    expect(await orderChangedEvents(gateway.store, diego.conversationId)).toHaveLength(1);

    // The next change of the same order is its change 2: Juan starts the work.
    await changeOrderAsSupervisor(harness.cmmsApi, order.idordentrabajo, { idestadoot: stateId('En Progreso') });
    const started = await juan.next(new RegExp(`^La orden ${ORDER} del equipo .+ pasó a En Progreso\\.`));
    expect(started.text).not.toContain('no quiero notificaciones');
    const events = await orderChangedEvents(gateway.store, juan.conversationId);
    // Sequences start at the baseline's time (ms), so a new baseline never reuses an id.
    const epoch = baselineEpoch(await seenState(prefix));
    expect(events.map((entry) => (entry.event as { change: { changeId: string } }).change.changeId)).toEqual([
      `${order.idordentrabajo}:${epoch + 1}`,
      `${order.idordentrabajo}:${epoch + 2}`,
    ]);
  });

  it('tells nobody of a reported failure, then who has it, who lost it, and its completion without the report note', async () => {
    await linkAs(harness, diegoWeb, PEOPLE.diego.username, PEOPLE.diego);
    const description =
      'Rotura de manguera hidráulica en el brazo, con pérdida de aceite bajo la cabina; el operador detuvo el equipo y pidió revisar el circuito completo';
    await diego.say('reportar falla');
    await diego.next(/¿En qué equipo\?/);
    const number = await finishReport(diego, 'CAT-001', description);
    const order = await orderNamed(harness.cmmsApi, number);
    // The CMMS made Diego the requester and the technician, and kept the bot's note as observations.
    expect(order).toMatchObject({ idsolicitante: PEOPLE.diego.id, idtecnicoasignado: PEOPLE.diego.id });
    expect(order.observacionesfinales).toMatch(
      /^Reportado por Diego Fuentes vía Telegram\. Reportada por el asistente/,
    );

    // Seen as a new order and done with (nothing pending): his other chat was told nothing.
    await until(
      () => seenState(prefix),
      (seen) => `order:${order.idordentrabajo}` in seen && !Object.keys(seen).some((key) => key.startsWith('pending:')),
    );
    const aboutIt = async (conversationId: string) =>
      (await orderChangedEvents(gateway.store, conversationId)).filter(
        (entry) => (entry.event as { change: { number: string } }).change.number === number,
      );
    expect(await aboutIt(diegoWeb.conversationId)).toEqual([]);

    const lit = literal(number);
    await changeOrderAsSupervisor(harness.cmmsApi, order.idordentrabajo, {
      idtecnicoasignado: PEOPLE.juan.id,
      idestadoot: stateId('Asignada'),
    });
    const assigned = await juan.next(new RegExp(`^Se te asignó la orden ${lit}`));
    expect(assigned.text).toMatch(
      new RegExp(
        `^Se te asignó la orden ${lit} del equipo .+ \\(estado Asignada\\)\\. Prioridad Alta\\. Problema reportado: Rotura de manguera hidráulica en el brazo, .+…$`,
      ),
    );
    await diegoWeb.next(new RegExp(`^La orden ${lit} del equipo .+ pasó a Asignada\\. Técnico: Juan Pérez\\.`));

    await changeOrderAsSupervisor(harness.cmmsApi, order.idordentrabajo, { idtecnicoasignado: PEOPLE.maria.id });
    const lost = await juan.next(new RegExp(`^La orden ${lit}`));
    expect(lost.text).toMatch(
      new RegExp(`^La orden ${lit} del equipo .+ ya no está asignada a ti \\(ahora: María González\\)\\.$`),
    );
    await diegoWeb.next(new RegExp(`^La orden ${lit} del equipo .+ quedó asignada a María González\\.$`));

    await changeOrderAsSupervisor(harness.cmmsApi, order.idordentrabajo, { idestadoot: stateId('Completada') });
    const completed = await diegoWeb.next(new RegExp(`^La orden ${lit} del equipo .+ pasó a Completada\\.`));
    expect(completed.text).toMatch(/pasó a Completada\. Técnico: María González\.$/);
    expect(completed.text).not.toMatch(/Observaciones|Reportad/);
  });
});
