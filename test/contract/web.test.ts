import { createWebPlugin } from '../../plugins/web/index.ts';
import { runChannelContract, type SeenReply } from './channel-contract.ts';

const USER = 'tecnico-42';

const request = (body: string) =>
  new Request('http://omnibot.test/api/bot/message', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

interface WebAnswer {
  duplicate?: boolean;
  replies?: { text: string; buttons?: { id: string; title: string }[] }[];
}

// The web channel has no platform: its "delivery" is the REST call, deduplicated by message_id /
// Idempotency-Key, authenticated by nothing (public chat API), and replies travel in the answer.
runChannelContract({
  channel: 'web',
  address: USER,
  createPlugin: () => createWebPlugin({ maxBodyBytes: 65_536 }),
  fixtures: [
    {
      name: 'text',
      body: JSON.stringify({ user_id: USER, message: 'reportar falla' }),
      expected: { text: 'reportar falla', conversationId: `web:${USER}` },
    },
    {
      name: 'button press',
      body: JSON.stringify({ user_id: USER, action: 'priority:alta' }),
      expected: { action: 'priority:alta' },
    },
  ],
  textDelivery: (text, key) => JSON.stringify({ user_id: USER, message: text, message_id: `web-${key}` }),
  pressDelivery: (button, key) => JSON.stringify({ user_id: USER, action: button.id, message_id: `web-${key}` }),
  request,
  seen: ({ answers }) =>
    (answers as WebAnswer[])
      .filter((answer) => answer && !answer.duplicate)
      .flatMap((answer) => answer.replies ?? [])
      .map((reply): SeenReply => ({ text: reply.text, buttons: reply.buttons ?? [], form: 'json' })),
  buttonForm: 'json',
});
