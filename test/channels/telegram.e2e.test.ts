import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix } from '../support/redis.ts';
import { telegramUser } from './drivers.ts';
import { reportFailure, workOrderStatus } from './flows.ts';
import { channelFakes, SECRETS, startChannelGateway } from './gateway.ts';

let platform: PlatformServer;
let gateway: Gateway;
let prefix: string;

beforeAll(async () => {
  platform = await startPlatformServer(channelFakes());
  ({ gateway, prefix } = await startChannelGateway(platform));
});
afterAll(async () => {
  await gateway?.stop();
  await platform?.close();
  if (prefix) await clearPrefix(prefix);
});

const user = (chatId: number, name: string) =>
  telegramUser({ gatewayUrl: gateway.url, platform, secret: SECRETS.telegramSecret, chatId, name });

describe('Telegram end to end', () => {
  it('a user reports a failure with the inline keyboard and gets the new work order', async () => {
    const pedro = user(5550001, 'Pedro');
    const order = await reportFailure(pedro, 'keyboard');
    expect(order).toMatch(/^OT-CORR-/);
    // Every press was answered, so the client stopped spinning.
    const answered = platform.requests.filter(
      (r) => r.operation === 'answerCallbackQuery' && String(r.body['callback_query_id']).startsWith('5550001'),
    );
    expect(answered).toHaveLength(2);
  });

  it('a user asks for the status of OT-CORR-1', async () => {
    await workOrderStatus(user(5550002, 'Ana'));
  });

  it('a replayed update is answered once', async () => {
    const chat = { id: 5550003, first_name: 'Luis', type: 'private' };
    const update = JSON.stringify({
      update_id: 990001,
      message: {
        message_id: 1,
        from: { id: 5550003, is_bot: false, first_name: 'Luis' },
        chat,
        date: 1749416383,
        text: 'ayuda',
      },
    });
    const post = () =>
      fetch(`${gateway.url}/webhooks/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRETS.telegramSecret },
        body: update,
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    const luis = user(5550003, 'Luis');
    await luis.next(/Esto es lo que puedo hacer/);
    // A later turn's answer arrives after it: had the replay been answered, it would come first.
    await luis.say('cancelar');
    await luis.next(/No hay nada en curso que cancelar/);
    expect(platform.sent('telegram', '5550003')).toHaveLength(2);
  });

  it('a 429 is retried after retry_after and the message arrives once', async () => {
    platform.rateLimitNext('telegram', 1);
    const marta = user(5550004, 'Marta');
    await marta.say('ayuda');
    const reply = await marta.next(/Esto es lo que puedo hacer/);
    const attempts = platform.requests.filter((r) => r.platform === 'telegram' && r.body['chat_id'] === '5550004');
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(platform.sent('telegram', '5550004')).toEqual([reply]);
  });

  it('rejects a delivery without the secret token', async () => {
    const res = await fetch(`${gateway.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        update_id: 1,
        message: { message_id: 1, chat: { id: 1, type: 'private' }, date: 1, text: 'hola' },
      }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthorized' });
  });
});
