import { ConfigError } from './errors.ts';

/** Reading settings from the environment: every helper fails fast with a ConfigError naming the variable. */

export type Env = Record<string, string | undefined>;

/** A variable's trimmed value; undefined when unset or blank. */
export function envText(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A variable's integer value (`fallback` when unset); a ConfigError naming it when it is not one >= `min`. */
export function envInteger(env: Env, name: string, fallback: number, min = 0): number {
  const raw = envText(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

/** A variable's http(s)/redis URL without trailing slashes; a ConfigError naming it when it is not one. */
export function envUrl(env: Env, name: string): string | undefined {
  const raw = envText(env, name);
  if (raw === undefined) return undefined;
  try {
    const parsed = new URL(raw);
    if (!['http:', 'https:', 'redis:', 'rediss:'].includes(parsed.protocol)) throw new Error('protocol');
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * A channel's required settings: each one from `given` (the plugin's options) when set, else from its
 * variable (`variables`: key → name); a ConfigError "`channel` channel: missing A, B" naming every
 * variable left out, the caller's own `alsoRequired` (name → value) included.
 */
export function requiredSettings<Key extends string>(
  channel: string,
  env: Env,
  variables: Readonly<Record<Key, string>>,
  given: Partial<Record<NoInfer<Key>, string | undefined>> = {},
  alsoRequired: Readonly<Record<string, string | undefined>> = {},
): Record<Key, string> {
  const values = {} as Record<Key, string>;
  const missing: string[] = [];
  for (const [key, name] of Object.entries(variables) as [Key, string][]) {
    const value = given[key]?.trim() || envText(env, name);
    if (value) values[key] = value;
    else missing.push(name);
  }
  for (const [name, value] of Object.entries(alsoRequired)) if (!value?.trim()) missing.push(name);
  if (missing.length > 0) throw new ConfigError(`${channel} channel: missing ${missing.join(', ')}`);
  return values;
}

export function envFlag(env: Env, name: string): boolean {
  return ['1', 'true', 'yes', 'on'].includes((envText(env, name) ?? '').toLowerCase());
}
