import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LateFailure } from '../../core/delivery/types.ts';
import { smsFake, statusCallbackRequest } from '../../test/channels/fakes/sms.ts';
import { createFakeRuntime, type FakeRuntime } from '../../test/contract/fake-runtime.ts';
import { mountPlugin } from '../../test/contract/plugin-host.ts';
import { type PlatformServer, startPlatformServer } from '../../test/support/platform-server.ts';
import { createSmsPlugin } from './index.ts';
import { signTwilioRequest } from './verify.ts';

const ACCOUNT = 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b';
const TOKEN = 'sms-auth-token';
const OURS = '+15017122661';
const USER = '+56912345678';
const PUBLIC_URL = 'https://omnibot.example.com';
const GATEWAY = 'http://10.0.0.7:5001';
let platform: PlatformServer;

beforeAll(async () => {
  platform = await startPlatformServer([smsFake({ accountSid: ACCOUNT, authToken: TOKEN, phoneNumber: OURS })]);
});
afterAll(() => platform.close());
beforeEach(() => platform.reset());

function setup(runtime?: FakeRuntime) {
  const plugin = createSmsPlugin(
    { accountSid: ACCOUNT, authToken: TOKEN, phoneNumber: OURS, apiUrl: platform.apiUrl('sms') },
    {},
  );
  const { app, host } = mountPlugin(plugin, { env: { PUBLIC_URL }, ...(runtime ? { runtime } : {}) });
  const failures: LateFailure[] = [];
  const send = (text: string) =>
    plugin.send(
      { conversationId: `sms:${USER}`, text },
      { deadLetter: async (failure) => void failures.push(failure) },
    );
  const status = async (at: number, status: string, errorCode?: number) => {
    const request = statusCallbackRequest(platform.requests[at]!, GATEWAY, {
      authToken: TOKEN,
      status,
      ...(errorCode ? { errorCode } : {}),
    });
    const response = await app.request(request);
    await host.runtime.settle();
    return response;
  };
  return { app, runtime: host.runtime, failures, send, status };
}

describe('POST /webhooks/sms/status (Twilio status callbacks)', () => {
  it('records sent and delivered; dead-letters undelivered and failed with the error code', async () => {
    const { runtime, failures, send, status } = setup();
    await send('Tu OT es OT-CORR-7.');
    await send('¿Algo más?');
    const sids = platform.requests.map((r) => (r.response as { sid: string }).sid);
    expect((await status(0, 'sent')).status).toBe(204);
    await status(0, 'delivered');
    await status(0, 'delivered');
    await status(1, 'undelivered', 30003);
    expect(runtime.statuses.map((s) => [s.conversationId, s.status.messageId, s.status.status])).toEqual([
      [`sms:${USER}`, sids[0], 'sent'],
      [`sms:${USER}`, sids[0], 'delivered'],
      [`sms:${USER}`, sids[1], 'undelivered'],
    ]);
    expect(failures).toEqual([
      {
        code: 'delivery_failed',
        platformCode: 30003,
        reason: 'Twilio reports the SMS undelivered 30003: unreachable destination handset (off or out of coverage)',
        retryable: false,
        partsSent: 0,
      },
    ]);
    // Reported once: a repeated callback does not add a second dead letter.
    await status(1, 'undelivered', 30003);
    expect(failures).toHaveLength(1);
  });

  it('dead-letters a failure also when the store cannot record the status', async () => {
    const base = createFakeRuntime({ reply: () => null });
    const storeDown: FakeRuntime = {
      ...base,
      recordDeliveryStatus: () => Promise.reject(new Error('Redis command timed out')),
    };
    const { failures, send, status } = setup(storeDown);
    await send('Tu OT es OT-CORR-7.');
    expect((await status(0, 'failed', 30008)).status).toBe(204);
    expect(failures).toMatchObject([{ code: 'delivery_failed', platformCode: 30008, partsSent: 0 }]);
  });

  it('a failed part of a long message dead-letters it from that part', async () => {
    const { failures, status, send } = setup();
    await send('palabra '.repeat(500).trim());
    expect(platform.requests).toHaveLength(3);
    await status(1, 'failed', 30007);
    expect(failures).toMatchObject([{ platformCode: 30007, partsSent: 1, reason: /filtered by the carrier/ }]);
  });

  it('refuses an unsigned or forged callback (401) and skips one for another number', async () => {
    const { app, runtime, send } = setup();
    await send('Hola');
    const form = new URLSearchParams({
      AccountSid: ACCOUNT,
      From: OURS,
      To: USER,
      MessageSid: `SM${'0'.repeat(32)}`,
      MessageStatus: 'failed',
    });
    const post = (body: URLSearchParams, signature?: string) =>
      app.request(`${GATEWAY}/webhooks/sms/status`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(signature ? { 'x-twilio-signature': signature } : {}),
        },
        body: body.toString(),
      });
    const url = `${PUBLIC_URL}/webhooks/sms/status`;
    expect((await post(form)).status).toBe(401);
    expect((await post(form, signTwilioRequest('forged', url, form))).status).toBe(401);
    const foreign = new URLSearchParams(form);
    foreign.set('From', '+15005550006');
    expect((await post(foreign, signTwilioRequest(TOKEN, url, foreign))).status).toBe(204);
    const noSid = new URLSearchParams(form);
    noSid.delete('MessageSid');
    expect((await post(noSid, signTwilioRequest(TOKEN, url, noSid))).status).toBe(400);
    expect(runtime.statuses).toEqual([]);
  });
});
