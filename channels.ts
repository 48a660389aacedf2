import type { ChannelFactory } from './core/plugin.ts';
import { smsChannel } from './plugins/sms/index.ts';
import { telegramChannel } from './plugins/telegram/index.ts';
import { webChannel } from './plugins/web/index.ts';
import { whatsappChannel } from './plugins/whatsapp/index.ts';

/**
 * Every channel omnibot can serve, one line each. A channel whose variables are not set stays off
 * (see each plugin's `fromEnv`); the web channel is always on.
 */
export const CHANNELS: readonly ChannelFactory[] = [webChannel, whatsappChannel, telegramChannel, smsChannel];
