import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import { type ChatUser, telegramUser } from '../channels/drivers.ts';
import { channelFakes, SECRETS, startChannelGateway } from '../channels/gateway.ts';
import { startOwnRedis } from '../support/own-redis.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix } from '../support/redis.ts';
import { IDENTITY_KEY, NOTIFY_SECRET, orderChangedEvents, postNotify, wireChange } from './support.ts';

/**
 * `POST /api/bot/notify` on the real gateway (Redis, embedded demo CMMS, Telegram on its fake
 * platform): Juan Pérez (tecnico1) and Valentina Reyes (solicitante1) each linked in a Telegram chat.
 */

let platform: PlatformServer;
let gateway: Gateway;
let prefix: string;
let juan: ChatUser;
let valentina: ChatUser;
const JUAN_CHAT = 7301;
const VALENTINA_CHAT = 7302;

/** A Telegram user who wrote once (the conversation exists) and is linked to the CMMS account `username`. */
async function linkedTelegramUser(chatId: number, name: string, username: string): Promise<ChatUser> {
  const user = telegramUser({ gatewayUrl: gateway.url, platform, secret: SECRETS.telegramSecret, chatId, name });
  await user.say('hola');
  await user.next(/./);
  await gateway.identity.linkWithPassword(`telegram:${chatId}`, username, username);
  return user;
}

beforeAll(async () => {
  platform = await startPlatformServer(channelFakes());
  ({ gateway, prefix } = await startChannelGateway(platform, {
    CALLBACK_SECRET: NOTIFY_SECRET,
    IDENTITY_KEY,
    NOTIFY_POLL_INTERVAL_MS: '0',
  }));
  juan = await linkedTelegramUser(JUAN_CHAT, 'Juan', 'tecnico1');
  valentina = await linkedTelegramUser(VALENTINA_CHAT, 'Valentina', 'solicitante1');
});

afterAll(async () => {
  await gateway?.stop();
  await platform?.close();
  if (prefix) await clearPrefix(prefix);
});

const notificationsTo = (chatId: number, number: string) =>
  platform.sent('telegram', String(chatId)).filter((message) => message.text.includes(number));

/** Everything the chat was sent before this reply has been sent: the user writes and waits for the answer. */
async function settled(user: ChatUser): Promise<void> {
  await user.say('menú');
  await user.next(/^Esto es lo que puedo hacer/);
}

describe('POST /api/bot/notify', () => {
  it('tells the technician and the requester once, however often the same change is posted', async () => {
    const body = { source: 'notificar_cambios_ot', changes: [wireChange()] };
    const first = await postNotify(gateway.url, body);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ accepted: 1, notified: 2, duplicates: 0, rejected: [] });

    const told = await juan.next(/OT-NOTIFY-1/);
    expect(told.text).toMatch(/^La orden OT-NOTIFY-1 del equipo Excavadora CAT 320 pasó a Completada\./);
    const toldRequester = await valentina.next(/OT-NOTIFY-1/);
    expect(toldRequester.text).toMatch(/pasó a Completada\. Técnico: Juan Pérez\./);

    const again = await postNotify(gateway.url, body);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ accepted: 1, notified: 0, duplicates: 2, rejected: [] });
    await settled(juan);
    await settled(valentina);
    expect(notificationsTo(JUAN_CHAT, 'OT-NOTIFY-1')).toHaveLength(1);
    expect(notificationsTo(VALENTINA_CHAT, 'OT-NOTIFY-1')).toHaveLength(1);
    expect(await orderChangedEvents(gateway.store, `telegram:${JUAN_CHAT}`)).toHaveLength(1);
  });

  it('refuses a missing or wrong signature with 401 and tells nobody', async () => {
    const body = { changes: [wireChange({ change_id: '9002:1', order_id: 9002, number: 'OT-NOTIFY-2' })] };
    const unsigned = await postNotify(gateway.url, body, { signature: null });
    expect(unsigned.status).toBe(401);
    const forged = await postNotify(gateway.url, body, { secret: 'not-the-secret' });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: 'unauthorized' });
    await settled(juan);
    expect(notificationsTo(JUAN_CHAT, 'OT-NOTIFY-2')).toEqual([]);
  });

  it('refuses a bad envelope with 400, and a bad change alone (listed in `rejected`), naming the field', async () => {
    const envelopes: Array<[unknown, RegExp]> = [
      ['not json', /not valid JSON/],
      [[], /JSON object/],
      [{}, /changes is required/],
      [{ changes: Array.from({ length: 501 }, () => wireChange()) }, /more than 500/],
    ];
    for (const [body, reason] of envelopes) {
      const response = await postNotify(gateway.url, body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const answer = (await response.json()) as { error: string; message: string };
      expect(answer.error).toBe('invalid_request');
      expect(answer.message).toMatch(reason);
    }
    const items: Array<[Record<string, unknown>, RegExp]> = [
      [wireChange({ change_id: undefined }), /^change_id is required/],
      [wireChange({ order_id: 'doce' }), /^order_id: order_id must be a positive integer/],
      [wireChange({ change_id: '12:3' }), /change_id must start with its order_id/],
      [wireChange({ change_id: '__proto__' }), /change_id must be "<order id>:<sequence>"/],
      [wireChange({ technician_id: -3 }), /technician_id must be a positive integer/],
    ];
    for (const [item, reason] of items) {
      const response = await postNotify(gateway.url, { changes: [item] });
      expect(response.status, JSON.stringify(item).slice(0, 80)).toBe(200);
      const answer = (await response.json()) as { accepted: number; rejected: unknown[] };
      expect(answer.accepted).toBe(0);
      expect(answer.rejected).toMatchObject([{ index: 0, reason: expect.stringMatching(reason) }]);
    }
  });

  it('accepts an empty list and long texts (cut), and refuses a body past its size cap with 413', async () => {
    const empty = await postNotify(gateway.url, { changes: [] });
    expect(await empty.json()).toEqual({ accepted: 0, notified: 0, duplicates: 0, rejected: [] });
    const long = wireChange({
      change_id: '9003:1',
      order_id: 9003,
      number: 'OT-NOTIFY-3',
      observations: 'x'.repeat(5000),
    });
    expect((await postNotify(gateway.url, { changes: [long] })).status).toBe(200);
    const huge = await postNotify(gateway.url, { changes: [], padding: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
  });
});

describe('POST /api/bot/notify while Redis is down', () => {
  it('answers 503 with Retry-After, so the DAG posts again later', async () => {
    const redis = await startOwnRedis();
    const own = await startChannelGateway(platform, {
      CALLBACK_SECRET: NOTIFY_SECRET,
      IDENTITY_KEY,
      NOTIFY_POLL_INTERVAL_MS: '0',
      REDIS_URL: redis.url,
    });
    try {
      await redis.kill();
      const refused = await postNotify(own.gateway.url, { changes: [wireChange()] });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await refused.json()).toMatchObject({ error: 'store_unavailable' });
    } finally {
      await redis.start();
      await own.gateway.stop();
      await redis.kill();
    }
  });
});
