import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CMMS_TOKEN, startDemoCmms } from '../../core/cmms/demo-server.ts';
import { cmmsLogin, createIdentityService } from '../../core/identity/index.ts';
import { silentLogger } from '../../core/log.ts';
import { createRedisStore } from '../../core/store/redis-store.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import { type ChatUser, telegramUser } from '../channels/drivers.ts';
import { channelFakes, SECRETS } from '../channels/gateway.ts';
import { allOrders, changeOrder } from '../roles/cmms.ts';
import { PEOPLE } from '../roles/people.ts';
import { type GatewayProcess, spawnGateway } from '../support/gateway-process.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix, connectRedis, REDIS_URL, uniquePrefix } from '../support/redis.ts';
import {
  IDENTITY_KEY,
  NOTIFY_SECRET,
  orderChangedEvents,
  postNotify,
  seenState,
  until,
  untilSeen,
  wireChange,
} from './support.ts';

/**
 * Two gateway processes on one Redis and one CMMS, each with its poller on: only one polls at a
 * time, and a change (found by the poller, or posted to both by the DAG) is told once.
 */

const prefix = uniquePrefix('notify-processes');
const JUAN_CHAT = 7_501;
const JUAN = `telegram:${JUAN_CHAT}`;
let cmms: { url: string; close(): Promise<void> };
let platform: PlatformServer;
let store: ConversationStore;
const processes: GatewayProcess[] = [];
let juan: ChatUser;

beforeAll(async () => {
  cmms = await startDemoCmms({ rateLimit: false });
  platform = await startPlatformServer(channelFakes());
  const env = {
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    SESSION_SECRET: 'notify-shared-session-secret',
    CALLBACK_SECRET: NOTIFY_SECRET,
    IDENTITY_KEY,
    IDENTITY_REQUIRED: 'none',
    CMMS_URL: cmms.url,
    CMMS_TOKEN: DEMO_CMMS_TOKEN,
    TELEGRAM_BOT_TOKEN: SECRETS.telegramToken,
    TELEGRAM_WEBHOOK_SECRET: SECRETS.telegramSecret,
    TELEGRAM_API_URL: platform.apiUrl('telegram'),
    NOTIFY_POLL_INTERVAL_MS: '150',
  };
  processes.push(await spawnGateway(env), await spawnGateway(env));
  store = createRedisStore({
    redis: connectRedis(),
    prefix,
    conversationTtlSeconds: 3600,
    transcriptLimit: 200,
    eventLimit: 1000,
  });
  // Juan Pérez (tecnico1) writes on Telegram (through the first process) and has his account linked.
  juan = telegramUser({
    gatewayUrl: processes[0]!.url,
    platform,
    secret: SECRETS.telegramSecret,
    chatId: JUAN_CHAT,
    name: 'Juan',
  });
  await juan.say('hola');
  await juan.next(/./);
  const links = connectRedis();
  const identity = createIdentityService({
    redis: { client: links, keyPrefix: prefix },
    key: IDENTITY_KEY,
    publicUrl: processes[0]!.url,
    policy: 'none',
    login: cmmsLogin({ baseUrl: cmms.url }),
    logger: silentLogger,
  });
  await identity.linkWithPassword(JUAN, PEOPLE.juan.username, PEOPLE.juan.username);
  await links.quit();
}, 60_000);

afterAll(async () => {
  for (const gateway of processes) gateway.child.kill('SIGTERM');
  await Promise.all(processes.map((gateway) => gateway.exited));
  await store?.close();
  await platform?.close();
  await cmms?.close();
  await clearPrefix(prefix);
});

const toldAbout = (number: string) =>
  platform.sent('telegram', String(JUAN_CHAT)).filter((m) => m.text.includes(number));

/** Everything sent to Juan before the answer to this message has been sent (one conversation, in order). */
async function settled(via: GatewayProcess): Promise<void> {
  const user = telegramUser({
    gatewayUrl: via.url,
    platform,
    secret: SECRETS.telegramSecret,
    chatId: JUAN_CHAT,
    name: 'Juan',
  });
  const before = platform.sent('telegram', String(JUAN_CHAT)).length;
  await user.say('menú');
  await platform.waitForMessage('telegram', String(JUAN_CHAT), (m) => /^Esto es lo que puedo hacer/.test(m.text), {
    after: before,
  });
}

describe('order notifications with two gateway processes', () => {
  it('polls from one process only and tells a change found in the CMMS once', async () => {
    await until(
      () => seenState(prefix),
      (seen) => 'baseline' in seen,
    );
    const order = (await allOrders(`${cmms.url}/api`)).find((o) => o.numeroot === 'OT-PREV-4')!;
    expect(order).toMatchObject({ estado_nombre: 'Abierta', idtecnicoasignado: null });
    await changeOrder(`${cmms.url}/api`, order.idordentrabajo, { idtecnicoasignado: PEOPLE.juan.id });

    const told = await juan.next(/^Se te asignó la orden OT-PREV-4/);
    expect(told.text).toMatch(/^Se te asignó la orden OT-PREV-4 del equipo .+ \(estado Abierta\)\./);
    await untilSeen(prefix, order.idordentrabajo, 1);
    await settled(processes[1]!);
    expect(toldAbout('OT-PREV-4')).toHaveLength(1);
    expect(await orderChangedEvents(store, JUAN)).toHaveLength(1);
    // One process recorded the baseline: the other never held the lease.
    const baselines = processes.filter((p) => p.logs.some((line) => line.includes('baseline recorded')));
    expect(baselines).toHaveLength(1);
  });

  it('tells a change the DAG posts to both processes at once a single time', async () => {
    const change = wireChange({ change_id: '9101:1', order_id: 9101, number: 'OT-NOTIFY-X', requester_id: null });
    const answers = await Promise.all(processes.map((p) => postNotify(p.url, { changes: [change] })));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    const bodies = (await Promise.all(answers.map((answer) => answer.json()))) as Array<Record<string, number>>;
    expect(bodies.map((body) => body.notified).sort()).toEqual([0, 1]);
    expect(bodies.map((body) => body.duplicates).sort()).toEqual([0, 1]);
    await juan.next(/^La orden OT-NOTIFY-X del equipo Excavadora CAT 320 pasó a Completada\./);
    await settled(processes[0]!);
    expect(toldAbout('OT-NOTIFY-X')).toHaveLength(1);
  });
});
