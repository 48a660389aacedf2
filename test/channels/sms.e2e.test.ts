import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../app/gateway.ts';
import { EMPTY_TWIML } from '../../plugins/sms/webhook.ts';
import { fixtureText } from '../contract/fixtures.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix } from '../support/redis.ts';
import { smsFake, statusCallbackRequest } from './fakes/sms.ts';
import { reportFailure, workOrderStatus } from './flows.ts';
import { channelFakes, startChannelGateway } from './gateway.ts';
import { smsUser } from './sms-user.ts';

const TWILIO = {
  accountSid: 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b',
  authToken: 'e2e-twilio-auth-token',
  ourNumber: '+15017122661',
};
/** What Twilio's console points at; the gateway is reached on loopback, as behind a proxy. */
const PUBLIC_URL = 'https://omnibot.example.com';
const STOPPED = '+56900000099';

let platform: PlatformServer;
let gateway: Gateway;
let prefix: string;

beforeAll(async () => {
  platform = await startPlatformServer([
    ...channelFakes(),
    smsFake({ ...TWILIO, phoneNumber: TWILIO.ourNumber, unsubscribed: [STOPPED] }),
  ]);
  ({ gateway, prefix } = await startChannelGateway(platform, {
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: TWILIO.accountSid,
    TWILIO_AUTH_TOKEN: TWILIO.authToken,
    TWILIO_PHONE_NUMBER: TWILIO.ourNumber,
    TWILIO_API_URL: platform.apiUrl('sms'),
  }));
});
afterAll(async () => {
  await gateway?.stop();
  await platform?.close();
  if (prefix) await clearPrefix(prefix);
});

const user = (number: string) =>
  smsUser({ gatewayUrl: gateway.url, platform, ...TWILIO, publicUrl: PUBLIC_URL, number, store: gateway.store });

describe('SMS end to end', () => {
  it('a user reports a failure by SMS, answering the options with digits, and gets the new work order', async () => {
    const juan = user('+56911110011');
    const order = await reportFailure(juan, 'numbered');
    expect(order).toMatch(/^OT-CORR-/);

    const bodies = platform.sent('sms', juan.address).map((m) => String(m.request.body['Body']));
    // Priority and confirmation as numbered options; every SMS compact and within 1,600 characters.
    expect(bodies).toContainEqual(
      expect.stringMatching(/\n1\. Baja\n2\. Media\n3\. Alta\n4\. Crítica\nResponde 1, 2, 3 o 4\.$/),
    );
    expect(bodies).toContainEqual(
      expect.stringMatching(
        /^Voy a reportar esta falla:\n- Equipo: .*CAT-001.*\n- Descripción: Fuga de aceite hidráulico en el brazo principal\n- Prioridad: .+\n¿Confirmas\?\n1\. Confirmar\n2\. Cancelar\nResponde 1 o 2\.$/,
      ),
    );
    for (const body of bodies) {
      expect(body.length).toBeLessThanOrEqual(1600);
      expect(body).not.toMatch(/•|\n\n/);
    }
    expect(
      platform.requests.filter((r) => r.platform === 'sms').every((r) => r.body['From'] === TWILIO.ourNumber),
    ).toBe(true);
    // The digits pressed the buttons: "3" → priority:alta, "1" → confirm:yes.
    const inbound = (await gateway.store.readTranscript('sms:+56911110011', 50)).filter((e) => e.direction === 'in');
    expect(inbound.filter((e) => e.action).map((e) => [e.text, e.action])).toEqual([
      ['3', 'priority:alta'],
      ['1', 'confirm:yes'],
    ]);
  });

  it('a user asks for the status of OT-CORR-1', async () => {
    await workOrderStatus(user('+56911110012'));
  });

  it('answers the webhook with empty TwiML and a redelivered MessageSid once', async () => {
    const maria = user('+56912345678');
    const body = fixtureText('sms', 'text.txt');
    for (let i = 0; i < 2; i++) {
      const response = await maria.post(body);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/xml/);
      expect(await response.text()).toBe(EMPTY_TWIML);
    }
    await maria.next(/¿En qué equipo\?/);
    await maria.say('cancelar');
    await maria.next(/cancelé la operación/);
    expect(platform.sent('sms', '+56912345678')).toHaveLength(2);
  });

  it('rejects a delivery signed for another URL or with another token', async () => {
    const body = fixtureText('sms', 'text.txt');
    const wrongHost = smsUser({
      gatewayUrl: gateway.url,
      platform,
      ...TWILIO,
      publicUrl: gateway.url,
      number: '+56912345678',
      store: gateway.store,
    });
    expect((await wrongHost.post(body)).status).toBe(401);
    const wrongToken = smsUser({
      gatewayUrl: gateway.url,
      platform,
      ...TWILIO,
      authToken: 'not-the-token',
      publicUrl: PUBLIC_URL,
      number: '+56912345678',
      store: gateway.store,
    });
    expect((await wrongToken.post(body)).status).toBe(401);
  });

  it('a reply Twilio refuses for good (21610, the user texted STOP) is dead-lettered, not retried', async () => {
    await user(STOPPED).say('hola');
    await platform.waitFor(() => platform.requests.some((r) => r.platform === 'sms' && r.body['To'] === STOPPED));
    await gateway.runtime.drain(5_000);
    await gateway.dispatcher.idle();
    const letters = (await gateway.dispatcher.deadLetters(500)).filter((d) => d.conversationId === `sms:${STOPPED}`);
    expect(letters).toMatchObject([{ code: 'upstream_error', platformCode: 21610, retryable: false, attempts: 1 }]);
    expect(platform.requests.filter((r) => r.platform === 'sms' && r.body['To'] === STOPPED)).toHaveLength(1);
  });

  it('type-ahead: "3" and "1" texted at once answer the priority, then the confirmation', async () => {
    const pedro = user('+56911110013');
    await pedro.say('reportar falla');
    await pedro.next(/¿En qué equipo\?/);
    await pedro.say('CAT-001');
    await pedro.next(/Describe la falla/);
    await pedro.say('Fuga de aceite hidráulico en el brazo principal');
    await pedro.next(/¿Qué prioridad tiene\?/);
    // Both before the confirmation arrives ("say" resolves on Twilio's 200, before the turn runs),
    // in a known order: "1" must answer the question "3" leads to.
    await pedro.say('3');
    await pedro.say('1');
    await pedro.next(/Falla reportada/, 15_000);
    const inbound = (await gateway.store.readTranscript('sms:+56911110013', 50)).filter((e) => e.direction === 'in');
    expect(inbound.filter((e) => e.action).map((e) => [e.text, e.action])).toEqual([
      ['3', 'priority:alta'],
      ['1', 'confirm:yes'],
    ]);
  });

  it('a digit with no options offered stays text', async () => {
    const ana = user('+56911110014');
    await ana.say('2');
    await ana.next(/./);
    await gateway.runtime.drain(5_000);
    const [entry] = (await gateway.store.readTranscript('sms:+56911110014', 50)).filter((e) => e.direction === 'in');
    expect(entry).toMatchObject({ text: '2' });
    expect(entry).not.toHaveProperty('action');
  });

  it('a reply Twilio accepted but the carrier did not deliver (status callback 30003) is dead-lettered', async () => {
    const luis = user('+56911110015');
    await luis.say('hola');
    const reply = await luis.next(/./);
    await gateway.runtime.drain(5_000);
    await gateway.dispatcher.idle();
    expect(reply.request.body['StatusCallback']).toBe(`${PUBLIC_URL}/webhooks/sms/status`);
    const callback = statusCallbackRequest(reply.request, gateway.url, {
      authToken: TWILIO.authToken,
      status: 'undelivered',
      errorCode: 30003,
    });
    expect((await fetch(callback)).status).toBe(204);
    const letters = async () =>
      (await gateway.dispatcher.deadLetters(500)).filter((d) => d.conversationId === 'sms:+56911110015');
    await expect.poll(letters, { timeout: 5_000, interval: 50 }).toMatchObject([
      {
        code: 'delivery_failed',
        platformCode: 30003,
        retryable: false,
        reason: /30003: unreachable destination handset/,
        message: { conversationId: 'sms:+56911110015' },
      },
    ]);
  });
});
