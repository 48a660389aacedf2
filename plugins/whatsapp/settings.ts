import { type Env, envText, envUrl, requiredSettings } from '../../core/config.ts';
import { ConfigError } from '../../core/errors.ts';
import { LIMITS, type WhatsAppPluginOptions, type WhatsAppSettings } from './types.ts';

/** The settings the channel cannot start without, by option key: each one's variable. */
export const REQUIRED = {
  verifyToken: 'WHATSAPP_VERIFY_TOKEN',
  appSecret: 'WHATSAPP_APP_SECRET',
  token: 'WHATSAPP_TOKEN',
  phoneNumberId: 'WHATSAPP_PHONE_NUMBER_ID',
} as const;

const DEFAULT_TEMPLATE_LANGUAGE = 'es';

/** An option when given, else its variable; a ConfigError naming the variable when it does not match. */
function checked(given: string | undefined, env: Env, variable: string, pattern: RegExp, rule: string) {
  const value = given?.trim() || envText(env, variable);
  if (value !== undefined && !pattern.test(value)) {
    throw new ConfigError(`${variable} must be ${rule}, got "${value.slice(0, 80)}"`);
  }
  return value;
}

/** The order-update template (name and language), or none when no name is set. */
function templateOf(options: WhatsAppPluginOptions, env: Env): WhatsAppSettings['template'] {
  const name = checked(
    options.templateName,
    env,
    'WHATSAPP_TEMPLATE_NAME',
    LIMITS.templateName,
    'an approved template name (lowercase letters, digits and underscores, at most 512)',
  );
  const language =
    checked(
      options.templateLanguage,
      env,
      'WHATSAPP_TEMPLATE_LANGUAGE',
      LIMITS.templateLanguage,
      'a template language code such as es or es_MX',
    ) ?? DEFAULT_TEMPLATE_LANGUAGE;
  return name === undefined ? undefined : { name, language };
}

/** The options, each one left out read from its variable; a ConfigError naming what is missing or wrong. */
export function settingsOf(options: WhatsAppPluginOptions, env: Env): WhatsAppSettings {
  const required = requiredSettings('WhatsApp', env, REQUIRED, options);
  const apiUrl = options.apiUrl ?? envUrl(env, 'WHATSAPP_API_URL') ?? 'https://graph.facebook.com/v23.0';
  const template = templateOf(options, env);
  return {
    ...required,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(template ? { template } : {}),
  };
}
