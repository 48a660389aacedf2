import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../../app/gateway.ts';
import { createLogger } from '../../core/log.ts';
import { signWhatsAppBody } from '../../plugins/whatsapp/verify.ts';
import { fixture } from '../contract/fixtures.ts';
import { mutatedBodies } from '../support/fuzz.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { channelFakes, SECRETS } from './gateway.ts';

/**
 * Mutated deliveries through the whole gateway (real runtime, conversation machine, embedded
 * workflows): every webhook answer is below 500, and no accepted message crashes its turn later.
 */
let platform: PlatformServer;
let gateway: Gateway;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  platform = await startPlatformServer(channelFakes());
  gateway = await startGateway(
    {
      LOG_LEVEL: 'info',
      IDENTITY_REQUIRED: 'none',
      WHATSAPP_VERIFY_TOKEN: SECRETS.whatsappVerifyToken,
      WHATSAPP_APP_SECRET: SECRETS.whatsappAppSecret,
      WHATSAPP_TOKEN: SECRETS.whatsappToken,
      WHATSAPP_PHONE_NUMBER_ID: SECRETS.whatsappPhoneNumberId,
      WHATSAPP_API_URL: platform.apiUrl('whatsapp'),
      TELEGRAM_BOT_TOKEN: SECRETS.telegramToken,
      TELEGRAM_WEBHOOK_SECRET: SECRETS.telegramSecret,
      TELEGRAM_API_URL: platform.apiUrl('telegram'),
      // Replies still paced at the end are not what this test is about.
      SHUTDOWN_GRACE_MS: '1000',
    },
    { port: 0, host: '127.0.0.1', logger: createLogger('info', {}, (line) => logs.push(JSON.parse(line))) },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await platform?.close();
});

const fixturesOf = (channel: string) =>
  readdirSync(new URL(`../fixtures/${channel}/`, import.meta.url)).filter((name) => name.endsWith('.json'));

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('mutated deliveries through the gateway', () => {
  it('answers 180 Telegram and 170 WhatsApp bodies below 500, and no turn fails afterwards', async () => {
    const statuses: number[] = [];
    for (const [i, name] of fixturesOf('telegram').entries()) {
      for (const body of mutatedBodies(fixture('telegram', name), 20, 31_000 + i)) {
        const response = await post('/webhooks/telegram', body, {
          'x-telegram-bot-api-secret-token': SECRETS.telegramSecret,
        });
        statuses.push(response.status);
        expect(response.status, body.slice(0, 300)).toBeLessThan(500);
      }
    }
    for (const [i, name] of fixturesOf('whatsapp').entries()) {
      for (const body of mutatedBodies(fixture('whatsapp', name), 10, 32_000 + i)) {
        const response = await post('/webhooks/whatsapp', body, {
          'x-hub-signature-256': signWhatsAppBody(SECRETS.whatsappAppSecret, body),
        });
        statuses.push(response.status);
        expect(response.status, body.slice(0, 300)).toBeLessThan(500);
      }
    }
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(statuses.length / 2);
    // Once the turns in flight are done, whatever crashed would have been logged at error level.
    await gateway.runtime.drain(30_000);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});
