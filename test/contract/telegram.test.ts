import { expect } from 'vitest';
import { createTelegramPlugin } from '../../plugins/telegram/index.ts';
import { telegramFake } from '../channels/fakes/telegram.ts';
import { runChannelContract } from './channel-contract.ts';
import { fixtureText } from './fixtures.ts';

const SECRET = 'contract_tg-secret';
const CHAT_ID = 123456789;
const from = { id: CHAT_ID, is_bot: false, first_name: 'Pedro', last_name: 'González' };
const chat = { id: CHAT_ID, first_name: 'Pedro', type: 'private' };
/** Stable small numbers per key: the same key is the same update. */
const numberOf = (key: string) => [...key].reduce((n, c) => (n * 31 + c.charCodeAt(0)) % 1_000_000, 7);

const webhook = (body: string, headers: Record<string, string>) =>
  new Request('http://omnibot.test/webhooks/telegram', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

runChannelContract({
  channel: 'telegram',
  address: String(CHAT_ID),
  createPlugin: (platform) =>
    createTelegramPlugin({ token: '123:ABC', webhookSecret: SECRET, apiUrl: platform.apiUrl('telegram') }),
  fixtures: [
    {
      name: 'message-text.json',
      body: fixtureText('telegram', 'message-text.json'),
      expected: {
        text: 'consultar estado de OT-CORR-1 🙏',
        conversationId: 'telegram:123456789',
        user: { id: '123456789', name: 'Pedro González' },
      },
    },
    {
      name: 'callback-query.json',
      body: fixtureText('telegram', 'callback-query.json'),
      expected: { action: 'priority:alta', text: 'Alta' },
    },
    {
      name: 'message-location.json',
      body: fixtureText('telegram', 'message-location.json'),
      expected: { location: { latitude: -33.4489, longitude: -70.6693 } },
    },
    {
      name: 'message-photo.json',
      body: fixtureText('telegram', 'message-photo.json'),
      expected: {
        text: 'Fuga de aceite en CAT-001',
        attachments: [expect.objectContaining({ kind: 'image', id: 'AgACAgEAAxkBAAIBMGZlarge' })],
      },
    },
    {
      name: 'message-document.json',
      body: fixtureText('telegram', 'message-document.json'),
      expected: { attachments: [expect.objectContaining({ kind: 'document', fileName: 'inspeccion-CAT-001.pdf' })] },
    },
  ],
  textDelivery: (text, key) =>
    JSON.stringify({
      update_id: numberOf(key),
      message: { message_id: numberOf(key), from, chat, date: 1749416383, text },
    }),
  pressDelivery: (button, key) =>
    JSON.stringify({
      update_id: numberOf(key),
      callback_query: {
        id: `cq-${numberOf(key)}`,
        from,
        message: {
          message_id: 1,
          chat,
          date: 1749416383,
          text: '…',
          reply_markup: { inline_keyboard: [[{ text: button.title, callback_data: button.id }]] },
        },
        chat_instance: '-3312094871623421785',
        data: button.id,
      },
    }),
  request: (body) => webhook(body, { 'x-telegram-bot-api-secret-token': SECRET }),
  authentication: {
    scheme: 'X-Telegram-Bot-Api-Secret-Token',
    forged: (body) => webhook(body, { 'x-telegram-bot-api-secret-token': 'contract_tg-secreT' }),
    missing: (body) => webhook(body, {}),
  },
  seen: ({ platform }) => platform.sent('telegram', String(CHAT_ID)),
  buttonForm: 'keyboard',
  fake: telegramFake(),
});
