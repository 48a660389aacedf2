import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix } from '../support/redis.ts';
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

const GROUP = { id: -1009876543210, title: 'Mantención Faena Sur', type: 'supergroup' };
const ANA = { id: 7770001, is_bot: false, first_name: 'Ana' };
const BRUNO = { id: 7770002, is_bot: false, first_name: 'Bruno' };
let sequence = 0;

async function say(from: typeof ANA, text: string): Promise<void> {
  sequence += 1;
  const update = {
    update_id: 770_000 + sequence,
    message: { message_id: sequence, from, chat: GROUP, date: Math.floor(Date.now() / 1000), text },
  };
  const response = await fetch(`${gateway.url}/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRETS.telegramSecret },
    body: JSON.stringify(update),
  });
  expect(response.status).toBe(200);
}

/** The group's messages from the bot, once `count` of them have arrived. */
const groupMessages = (count: number) =>
  platform.waitFor(
    () => {
      const sent = platform.sent('telegram', String(GROUP.id)).map((m) => m.text);
      return sent.length >= count ? sent : undefined;
    },
    10_000,
    `${count} messages in the group`,
  );

describe('Telegram group chat', () => {
  it("one member cannot answer another member's open report; both are answered in the group", async () => {
    await say(ANA, 'reportar falla');
    expect((await groupMessages(1))[0]).toMatch(/¿En qué equipo\?/);

    // Bruno's "CAT-001" is his own message (it may start his own report), not the answer to
    // Ana's question: her report still waits for its equipment.
    await say(BRUNO, 'CAT-001');
    await groupMessages(2);
    const ana = await gateway.runtime.getConversation(`telegram:${GROUP.id}:${ANA.id}`);
    expect(ana?.state).toMatch(/equipment/);
    const bruno = await gateway.runtime.getConversation(`telegram:${GROUP.id}:${BRUNO.id}`);
    expect(bruno).toBeDefined();
    expect(bruno?.id).not.toBe(ana?.id);

    await say(ANA, 'CAT-001');
    expect((await groupMessages(3))[2]).toMatch(/Equipo: CAT-001.*Describe la falla/s);
  });
});
