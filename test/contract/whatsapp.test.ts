import { createWhatsAppPlugin } from '../../plugins/whatsapp/index.ts';
import { signWhatsAppBody } from '../../plugins/whatsapp/verify.ts';
import { whatsappFake } from '../channels/fakes/whatsapp.ts';
import { whatsappDeliveryBody } from '../channels/whatsapp-payloads.ts';
import { runChannelContract } from './channel-contract.ts';
import { fixtureText } from './fixtures.ts';

const APP_SECRET = 'contract-app-secret';
const WA_ID = '56912345678';
// Written now: the replies go inside the 24-hour window.
const delivery = (key: string, message: Record<string, unknown>) =>
  whatsappDeliveryBody({ waId: WA_ID, name: 'Juan Pérez' }, { id: `wamid.contract-${key}`, ...message });

const webhook = (body: string, headers: Record<string, string>) =>
  new Request('http://omnibot.test/webhooks/whatsapp', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

runChannelContract({
  channel: 'whatsapp',
  address: WA_ID,
  createPlugin: (platform) =>
    createWhatsAppPlugin({
      verifyToken: 'verify',
      appSecret: APP_SECRET,
      token: 'wa-token',
      phoneNumberId: '106540352242922',
      apiUrl: platform.apiUrl('whatsapp'),
    }),
  fixtures: [
    {
      name: 'text.json',
      body: fixtureText('whatsapp', 'text.json'),
      expected: { text: 'consultar estado de OT-CORR-1 🙏', user: { id: WA_ID, name: 'Juan Pérez' } },
    },
    {
      name: 'interactive-button-reply.json',
      body: fixtureText('whatsapp', 'interactive-button-reply.json'),
      expected: { action: 'priority:alta' },
    },
    {
      name: 'interactive-list-reply.json',
      body: fixtureText('whatsapp', 'interactive-list-reply.json'),
      expected: { action: 'priority:critica' },
    },
    {
      name: 'location.json',
      body: fixtureText('whatsapp', 'location.json'),
      expected: {
        location: {
          latitude: -33.4489,
          longitude: -70.6693,
          name: 'Faena Norte',
          address: 'Camino Minero 1200, Santiago',
        },
      },
    },
    {
      name: 'image.json',
      body: fixtureText('whatsapp', 'image.json'),
      expected: {
        attachments: [
          { kind: 'image', id: '1003383421387256', mimeType: 'image/jpeg', caption: 'Fuga de aceite en CAT-001' },
        ],
      },
    },
  ],
  textDelivery: (text, key) => delivery(key, { type: 'text', text: { body: text } }),
  pressDelivery: (button, key) =>
    delivery(key, { type: 'interactive', interactive: { type: 'button_reply', button_reply: button } }),
  request: (body) => webhook(body, { 'x-hub-signature-256': signWhatsAppBody(APP_SECRET, body) }),
  authentication: {
    scheme: 'X-Hub-Signature-256',
    forged: (body) => webhook(body, { 'x-hub-signature-256': signWhatsAppBody('forged-secret', body) }),
    missing: (body) => webhook(body, {}),
  },
  seen: ({ platform }) => platform.sent('whatsapp', WA_ID),
  buttonForm: 'button',
  fake: whatsappFake(),
});
