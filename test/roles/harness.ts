import type { Gateway } from '../../app/gateway.ts';
import type { ChatUser } from '../channels/drivers.ts';
import { telegramUser, whatsappUser } from '../channels/drivers.ts';
import { smsFake } from '../channels/fakes/sms.ts';
import { channelFakes, SECRETS, startChannelGateway } from '../channels/gateway.ts';
import { smsUser } from '../channels/sms-user.ts';
import { type PlatformServer, startPlatformServer } from '../support/platform-server.ts';
import { clearPrefix } from '../support/redis.ts';
import { webChatUser } from './web-chat-user.ts';

/**
 * One channel's gateway for the role flows: the real gateway (Redis store, embedded runner, embedded
 * demo CMMS) with the default identity policy `report`, the fake platforms, and a way to make a user
 * of that channel. The gateway is reached on loopback while its `PUBLIC_URL` is the public one, as
 * behind a proxy: links in the chat point at `PUBLIC_URL` and are opened on the gateway.
 */

export type Channel = 'web' | 'whatsapp' | 'telegram' | 'sms';
export const CHANNELS: readonly Channel[] = ['web', 'whatsapp', 'telegram', 'sms'];

/** How "Reportado por … vía <canal>" names each channel. */
export const CHANNEL_NAMES: Record<Channel, string> = {
  web: 'el chat web',
  whatsapp: 'WhatsApp',
  telegram: 'Telegram',
  sms: 'SMS',
};

export const PUBLIC_URL = 'https://omnibot.example.com';
export const ADMIN_TOKEN = 'roles-admin-token-0123456789abcdef';
const TWILIO = {
  accountSid: 'AC3f9d1b2e7c4a8f6e5d0b9a1c2e3f4a5b',
  authToken: 'e2e-twilio-auth-token',
  ourNumber: '+15017122661',
};

export interface RoleUser extends ChatUser {
  /** `<channel>:<address>`. */
  conversationId: string;
  /** The address the user's phone opens the link page from (the proxy's `X-Forwarded-For`). */
  clientIp: string;
}

export interface RoleHarness {
  channel: Channel;
  gateway: Gateway;
  /** The user number `n` of this channel (distinct conversations), shown as `name` where the channel has names. */
  user(n: number, name: string): RoleUser;
  /** The demo CMMS's API root on the gateway (`…/demo-cmms/api`). */
  cmmsApi: string;
  /** The gateway's Redis key prefix. */
  prefix: string;
  stop(): Promise<void>;
}

/**
 * `env`: gateway variables over the flows' defaults. The order-change poller is off unless asked for:
 * a supervisor's assignment in one flow would otherwise tell another flow's technician mid-flow.
 */
export async function startRoleHarness(channel: Channel, env: Record<string, string> = {}): Promise<RoleHarness> {
  const platform: PlatformServer = await startPlatformServer([
    ...channelFakes(),
    smsFake({ ...TWILIO, phoneNumber: TWILIO.ourNumber }),
  ]);
  const { gateway, prefix } = await startChannelGateway(platform, {
    IDENTITY_REQUIRED: 'report',
    IDENTITY_KEY: 'roles-identity-key-of-32-chars!!',
    ADMIN_TOKEN,
    PUBLIC_URL,
    // Behind one proxy: each user's phone is its own client address on the link page.
    TRUSTED_PROXY_HOPS: '1',
    TWILIO_ACCOUNT_SID: TWILIO.accountSid,
    TWILIO_AUTH_TOKEN: TWILIO.authToken,
    TWILIO_PHONE_NUMBER: TWILIO.ourNumber,
    TWILIO_API_URL: platform.apiUrl('sms'),
    NOTIFY_POLL_INTERVAL_MS: '0',
    ...env,
  });
  const drivers = { gatewayUrl: gateway.url, platform };
  const closers: Array<() => Promise<void>> = [];
  const user = (n: number, name: string): RoleUser => Object.assign(chatUser(n, name), { clientIp: `198.51.100.${n}` });
  const chatUser = (n: number, name: string): Omit<RoleUser, 'clientIp'> => {
    const digits = String(n).padStart(4, '0');
    switch (channel) {
      case 'web': {
        // A browser has no name to give: the web chat's conversation is its own.
        const chat = webChatUser({ gatewayUrl: gateway.url });
        closers.push(chat.close);
        return chat;
      }
      case 'whatsapp': {
        const waId = `5691111${digits}`;
        const chat = whatsappUser({ ...drivers, appSecret: SECRETS.whatsappAppSecret, waId, name });
        return { ...chat, conversationId: `whatsapp:${waId}` };
      }
      case 'telegram': {
        const chatId = 71_110_000 + n;
        const chat = telegramUser({ ...drivers, secret: SECRETS.telegramSecret, chatId, name });
        return { ...chat, conversationId: `telegram:${chatId}` };
      }
      case 'sms': {
        const number = `+5692222${digits}`;
        const chat = smsUser({ ...drivers, ...TWILIO, publicUrl: PUBLIC_URL, number, store: gateway.store });
        return { ...chat, conversationId: `sms:${number}` };
      }
    }
  };
  return {
    channel,
    gateway,
    user,
    cmmsApi: `${gateway.url}/demo-cmms/api`,
    prefix,
    async stop() {
      await Promise.all(closers.map((close) => close()));
      await gateway.stop();
      await platform.close();
      await clearPrefix(prefix);
    },
  };
}
