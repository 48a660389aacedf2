import type { Hono } from 'hono';
import { type Config, type Env, envText } from './config.ts';
import type { ChannelState } from './delivery/channel-state.ts';
import type { ChannelLimits, SendOptions, SendResult } from './delivery/types.ts';
import type { EventBus } from './events/bus.ts';
import type { Limits } from './limits/index.ts';
import type { Logger } from './log.ts';
import type { ConversationRuntime } from './runtime/types.ts';
import type { ConversationStore } from './store/types.ts';
import type { InboundMessage, OutboundMessage } from './types.ts';

export interface ChannelCapabilities {
  buttons: boolean;
  /** Reply buttons rendered as buttons; more become a list or numbered text, as the channel can. */
  maxButtons: number;
  maxButtonTitle: number;
  maxTextLength: number;
  /**
   * Clients read replies (answer, transcript, subscriptions) instead of being sent them (web): the
   * dispatcher has nothing to deliver, so nothing to pace, retry or dead-letter.
   */
  readsReplies?: true;
  /** Outbound pacing of the channel (its documented send budget); none: unpaced. */
  pacing?: ChannelLimits;
}

/** The gateway's settings a channel may read: never a secret, never another channel's. */
export type ChannelConfig = Pick<Config, 'publicUrl' | 'maxBodyBytes'>;

/**
 * The conversation tokens web clients hold (`Authorization: Bearer`), signed with the gateway's
 * session secret, which stays in core.
 */
export interface ConversationTokens {
  issue(conversationId: string): string;
  /** The conversation the token grants, or null when it is not one of ours. */
  verify(token: string): string | null;
}

/**
 * What the host hands a plugin when mounting it: the one door for every dependency. A plugin gets
 * nothing else from the gateway (its own settings come from its options object or its own env).
 */
export interface PluginHost {
  runtime: ConversationRuntime;
  /** The gateway's shared, non-secret settings (public URL, body cap). */
  config: ChannelConfig;
  /** Already scoped to the channel (`channel: <name>`). */
  logger: Logger;
  /** Every outbound message goes through this: routing, pacing, ordered retries, dead letters. */
  deliver(message: OutboundMessage): Promise<void>;
  store: ConversationStore;
  bus: EventBus;
  limits: Limits;
  conversationTokens: ConversationTokens;
  /** True when `token` is the operator's `ADMIN_TOKEN` (constant time); always false without one. */
  isAdminToken(token: string): boolean;
  /** The channel's own shared state (Redis with REDIS_URL), scoped to its name. */
  channelState: ChannelState;
  /**
   * Takes one send of the conversation's budget (the channel's pacing, per chat and overall) if one is
   * free now, for extra API calls that must not crowd out messages (typing actions); false: skip it.
   */
  tryPace?(conversationId: string): boolean;
}

/** What the web chat sends (GraphQL `sendMessage`), its token already checked for the conversation. */
export interface BrowserMessageInput {
  conversationId: string;
  text?: string | null;
  action?: string | null;
  clientMessageId?: string | null;
}

/**
 * One line of the channel list (`channels.ts`). `fromEnv` builds the plugin from its own variables,
 * returns null when they are all unset (the channel is off), and throws a `ConfigError` naming the
 * missing variable when they are set in part.
 */
export interface ChannelFactory {
  readonly name: string;
  fromEnv(env: Env): ChannelPlugin | null;
}

/**
 * The factory of a channel that is on when any of its required variables is set (then `create`
 * demands them all, naming the missing ones) and off when none is.
 */
export function switchedByEnv(
  name: string,
  required: Readonly<Record<string, string>>,
  create: (env: Env) => ChannelPlugin,
): ChannelFactory {
  return {
    name,
    fromEnv: (env) =>
      Object.values(required).some((variable) => envText(env, variable) !== undefined) ? create(env) : null,
  };
}

/** A channel adapter: verifies and parses its webhooks, sends in its channel's form. */
export interface ChannelPlugin {
  readonly name: string;
  readonly capabilities: ChannelCapabilities;
  /** Adds the channel's routes (webhooks) to the app. */
  mount(app: Hono, host: PluginHost): void;
  /**
   * Delivers one outbound message; throws on failure (the dispatcher retries and logs). A plugin that
   * splits a message into several API calls honours `options` (resume, pacing, late failures).
   * Resolves to `{ held: true }` when the message was kept for later (or dropped as stale), not delivered.
   */
  send(message: OutboundMessage, options?: SendOptions): Promise<SendResult>;
  /**
   * The channel that serves the web chat (web) makes its messages for GraphQL `sendMessage`: its
   * limits and message-id scheme; throws a `ValidationError` for one it refuses.
   */
  parseBrowserMessage?(input: BrowserMessageInput): InboundMessage;
  /** Erases what the channel keeps of the conversation's user in its own state (personal data). */
  forget?(conversationId: string): Promise<void>;
  close?(): Promise<void>;
}

export class PluginRegistry {
  readonly #plugins = new Map<string, ChannelPlugin>();

  register(plugin: ChannelPlugin): this {
    if (this.#plugins.has(plugin.name)) throw new Error(`plugin "${plugin.name}" is already registered`);
    this.#plugins.set(plugin.name, plugin);
    return this;
  }

  get(name: string): ChannelPlugin | undefined {
    return this.#plugins.get(name);
  }

  list(): ChannelPlugin[] {
    return [...this.#plugins.values()];
  }
}
