import type { Config } from '../config.ts';
import type { EventBus } from '../events/bus.ts';
import type { IdentityService } from '../identity/types.ts';
import type { InspectionHub } from '../inspect/hub.ts';
import type { Limits } from '../limits/index.ts';
import type { Logger } from '../log.ts';
import type { BrowserMessageInput } from '../plugin.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import type { ConversationStore } from '../store/types.ts';
import type { InboundMessage } from '../types.ts';
import type { Principal } from './auth.ts';
import type { TopicStream } from './topic-stream.ts';

/** What the GraphQL layer needs from the host. */
export interface GraphqlServices {
  runtime: ConversationRuntime;
  store: ConversationStore;
  bus: EventBus;
  config: Pick<Config, 'sessionSecret' | 'adminToken' | 'transcriptLimit'>;
  logger: Logger;
  /** Inspection switches; the `inspect` subscription needs it. */
  inspection?: InspectionHub;
  /** Rate and connection limits (none when absent). */
  limits?: Limits;
  /** Linked CMMS identities (the admin's `identities`, `linkIdentity`, …); those fields are refused without it. */
  identity?: IdentityService;
  /**
   * The web chat's messages (`sendMessage`), made by the channel that serves it (the web plugin's
   * `parseBrowserMessage`: its limits and message-id scheme); throws a `ValidationError`
   * (BAD_USER_INPUT) for a message it refuses.
   */
  parseBrowserMessage(input: BrowserMessageInput): InboundMessage;
}

/**
 * The subscriber's transport, when it has one (a WebSocket): subscriptions drop a subscriber whose
 * socket no longer keeps up instead of buffering without bound.
 */
export interface SubscriberTransport {
  /** Bytes queued on the socket and not yet sent. */
  bufferedAmount(): number;
  /** Closes the connection (graphql-ws clients reconnect and resubscribe). */
  drop(reason: string): void;
  /** Closes the connection with 1012 (service restart): clients reconnect, resubscribe and re-read. */
  restart(reason: string): void;
}

export interface SubscriptionLimits {
  /** Events queued per subscription before the subscriber is dropped. */
  maxQueuedEvents: number;
  /** Socket bytes not yet sent before the subscriber is dropped. */
  maxBufferedBytes: number;
}

/**
 * Per WebSocket operation: the resolver leaves its bus stream here, so the WebSocket server can
 * deliver its events itself (ws-fan-out.ts) instead of iterating it.
 */
export interface DirectDeliverySlot {
  stream?: TopicStream<unknown>;
}

export interface GraphqlContext {
  principal: Principal;
  services: GraphqlServices;
  limits: SubscriptionLimits;
  transport?: SubscriberTransport;
  directDelivery?: DirectDeliverySlot;
  /**
   * Set only on the context of a shared WebSocket execution (ws-fan-out.ts): the events the resolver's
   * stream yields, after the resolver's own access checks.
   */
  fanOutSource?: AsyncIterableIterator<unknown>;
  /** The caller's address (HTTP: the request's; WebSocket: the upgrade request's), for rate limits. */
  clientAddress?: string;
}
