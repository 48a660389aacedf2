import { type Gateway, startGateway } from '../../app/gateway.ts';
import type { Env } from '../../core/config.ts';
import type { PlatformFake, PlatformServer } from '../support/platform-server.ts';
import { REDIS_URL, uniquePrefix } from '../support/redis.ts';
import { telegramFake } from './fakes/telegram.ts';
import { whatsappFake } from './fakes/whatsapp.ts';

export const SECRETS = {
  whatsappVerifyToken: 'e2e-verify-token',
  whatsappAppSecret: 'e2e-meta-app-secret',
  whatsappToken: 'e2e-wa-access-token',
  whatsappPhoneNumberId: '106540352242922',
  telegramToken: '7012345678:AAE2E-test-token',
  telegramSecret: 'e2e_tg-webhook-secret',
};

/** The fakes of both platforms, checking the credentials above. */
export const channelFakes = (): PlatformFake[] => [
  whatsappFake({ token: SECRETS.whatsappToken, phoneNumberId: SECRETS.whatsappPhoneNumberId }),
  telegramFake({ token: SECRETS.telegramToken }),
];

/**
 * The real gateway (Redis store, embedded workflows and demo CMMS) with both channels aimed at the
 * fake platforms (`channelFakes()`); `env` adds variables (another channel's).
 */
export async function startChannelGateway(
  platform: PlatformServer,
  env: Env = {},
): Promise<{ gateway: Gateway; prefix: string }> {
  const prefix = uniquePrefix('channels');
  const gateway = await startGateway(
    {
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent',
      IDENTITY_REQUIRED: 'none',
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      // A busy test machine can hold a command past the 2 s default; these tests are not about latency.
      REDIS_COMMAND_TIMEOUT_MS: '10000',
      WHATSAPP_VERIFY_TOKEN: SECRETS.whatsappVerifyToken,
      WHATSAPP_APP_SECRET: SECRETS.whatsappAppSecret,
      WHATSAPP_TOKEN: SECRETS.whatsappToken,
      WHATSAPP_PHONE_NUMBER_ID: SECRETS.whatsappPhoneNumberId,
      WHATSAPP_API_URL: platform.apiUrl('whatsapp'),
      TELEGRAM_BOT_TOKEN: SECRETS.telegramToken,
      TELEGRAM_WEBHOOK_SECRET: SECRETS.telegramSecret,
      TELEGRAM_API_URL: platform.apiUrl('telegram'),
      WORKFLOW_POLL_INTERVAL_MS: '200',
      ...env,
    },
    { port: 0, host: '127.0.0.1' },
  );
  return { gateway, prefix };
}
