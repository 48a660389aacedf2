import { type Env, envFlag, envUrl, requiredSettings } from '../../core/config.ts';
import { sendParts } from '../../core/delivery/send-parts.ts';
import { createSentParts } from '../../core/delivery/sent-parts.ts';
import type { SendOptions } from '../../core/delivery/types.ts';
import { ConfigError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/log.ts';
import { type ChannelFactory, type ChannelPlugin, type PluginHost, switchedByEnv } from '../../core/plugin.ts';
import { splitConversationId } from '../../core/types.ts';
import { E164 } from './parse.ts';
import { droppedButtons, renderSms } from './render.ts';
import { createTwilioClient } from './send.ts';
import { twilioSignatureChecks } from './signed-request.ts';
import { mountStatusCallback } from './status.ts';
import {
  CHANNEL,
  DEFAULT_API_URL,
  ENV,
  LIMITS,
  PACING,
  type SmsPluginOptions,
  type SmsSettings,
  STATUS_PATH,
  WEBHOOK_PATH,
} from './types.ts';
import { mountWebhook } from './webhook.ts';

export { parseSmsWebhook } from './parse.ts';
export { compactText, renderSms } from './render.ts';
export { countSegments, foldToGsm7 } from './segments.ts';
export type { SmsPluginOptions } from './types.ts';
export { PACING as SMS_PACING } from './types.ts';
export { signTwilioRequest, verifyTwilioSignature } from './verify.ts';

/** The settings the channel cannot start without, by option key: each one's variable. */
const REQUIRED = { accountSid: ENV.accountSid, authToken: ENV.authToken, phoneNumber: ENV.phoneNumber } as const;

/** The options, each one left out read from its variable; a ConfigError naming what is missing or wrong. */
function settingsOf(options: SmsPluginOptions, env: Env): SmsSettings {
  const required = requiredSettings('SMS', env, REQUIRED, options);
  const phoneNumber = required.phoneNumber.replace(/[\s()-]/g, '');
  if (!E164.test(phoneNumber)) {
    throw new ConfigError(`${ENV.phoneNumber} must be a phone number in E.164 form (+56912345678)`);
  }
  return {
    accountSid: required.accountSid,
    authToken: required.authToken,
    phoneNumber,
    apiUrl: (options.apiUrl ?? envUrl(env, ENV.apiUrl) ?? DEFAULT_API_URL).replace(/\/+$/, ''),
    gsm7Fold: options.gsm7Fold ?? envFlag(env, ENV.gsm7Fold),
    timeoutMs: options.timeoutMs ?? 10_000,
  };
}

/** The channel list's line: on when any of its required variables is set (then all are), off otherwise. */
export const smsChannel: ChannelFactory = switchedByEnv(CHANNEL, REQUIRED, (env) => createSmsPlugin({}, env));

/**
 * The SMS channel over Twilio Programmable Messaging: webhook on `/webhooks/sms`, replies through
 * the REST API (never TwiML, so a slow turn never meets Twilio's 15 s webhook timeout). Settings
 * from `options`, else from `env`; everything else from the host at `mount`.
 */
export function createSmsPlugin(options: SmsPluginOptions = {}, env: Env = process.env): ChannelPlugin {
  const settings = settingsOf(options, env);
  let host: PluginHost | undefined;
  const logger = (): Logger => host?.logger ?? silentLogger;
  const client = createTwilioClient(settings, logger);
  // Background retries of inbound messages stop on close.
  const closing = new AbortController();
  // Message SID → what it carried: a later failed/undelivered status dead-letters the message (status.ts).
  const sentParts = createSentParts();

  return {
    name: CHANNEL,
    capabilities: {
      // No native buttons: they become numbered options, answered with their number.
      buttons: false,
      maxButtons: LIMITS.options,
      maxButtonTitle: LIMITS.optionTitle,
      maxTextLength: LIMITS.body,
      pacing: options.pacing ?? PACING,
    },
    mount(app, mountedOn) {
      host = mountedOn;
      // One throttle of rejection warnings for both routes: at most one a minute for the channel.
      const signedFor = twilioSignatureChecks(settings.authToken, mountedOn);
      mountWebhook(app, {
        settings,
        host: mountedOn,
        verify: signedFor(WEBHOOK_PATH),
        signal: closing.signal,
        ...(options.inboundRetryDelaysMs ? { inboundRetryDelaysMs: options.inboundRetryDelaysMs } : {}),
      });
      mountStatusCallback(app, {
        settings,
        host: mountedOn,
        verify: signedFor(STATUS_PATH),
        reportFailed: (sid, failure) => sentParts.reportFailed(sid, failure),
      });
    },
    async send(message, sendOptions: SendOptions = {}) {
      const dropped = droppedButtons(message);
      if (dropped > 0)
        logger().warn({ conversationId: message.conversationId, dropped }, 'more options than SMS numbers');
      const to = splitConversationId(message.conversationId).address;
      const bodies = renderSms(message, { gsm7Fold: settings.gsm7Fold });
      // Later statuses (failed, undelivered) come back here; only once mounted is PUBLIC_URL known.
      const statusCallback = host ? `${host.config.publicUrl}${STATUS_PATH}` : undefined;
      // Parts already accepted (the dispatcher keeps the count, also in dead letters) are not repeated.
      await sendParts(
        bodies,
        sendOptions,
        async (body) => (await client.send(to, body, statusCallback)).sid,
        sentParts,
      );
    },
    async close() {
      closing.abort();
      await client.close();
    },
  };
}
