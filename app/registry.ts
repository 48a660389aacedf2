import { CHANNELS } from '../channels.ts';
import type { Env } from '../core/config.ts';
import { ValidationError } from '../core/errors.ts';
import type { GraphqlServices } from '../core/graphql/context.ts';
import { PluginRegistry } from '../core/plugin.ts';

/** Every channel of `channels.ts` that its variables turn on. */
export function registerChannels(env: Env): PluginRegistry {
  const registry = new PluginRegistry();
  for (const channel of CHANNELS) {
    const plugin = channel.fromEnv(env);
    if (plugin) registry.register(plugin);
  }
  return registry;
}

/** The web chat's parser for GraphQL `sendMessage`: the registered channel that serves browsers makes it. */
export function browserParser(registry: PluginRegistry): GraphqlServices['parseBrowserMessage'] {
  const parse = registry.list().find((plugin) => plugin.parseBrowserMessage)?.parseBrowserMessage;
  if (parse) return parse;
  return () => {
    throw new ValidationError('no channel serves the web chat here');
  };
}
