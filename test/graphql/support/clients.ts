import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphqlResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function postGraphql<T = Record<string, unknown>>(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GraphqlResult<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlResult<T>;
}

/** The `extensions.code` of each error of a result (undefined when it has none). */
export const errorCodes = (result: Pick<GraphqlResult, 'errors'>) =>
  result.errors?.map((error) => error.extensions?.code);

export const wsUrlOf = (baseUrl: string) => `${baseUrl.replace(/^http/, 'ws')}/graphql`;

export interface WsClient {
  client: Client;
  /** Resolves with the close code when the socket closes. */
  closed: Promise<number>;
  /** Resolves with the underlying socket once connected. */
  socket: Promise<WebSocket>;
}

/** A graphql-ws client that does not retry: tests see every close. */
export function openWsClient(
  baseUrl: string,
  token?: string,
  options: { wsOptions?: WebSocket.ClientOptions } = {},
): WsClient {
  let onClosed: (code: number) => void = () => {};
  let onSocket: (socket: WebSocket) => void = () => {};
  const closed = new Promise<number>((resolve) => (onClosed = resolve));
  const socket = new Promise<WebSocket>((resolve) => (onSocket = resolve));
  class TestSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, options.wsOptions);
      onSocket(this);
    }
  }
  const client = createClient({
    url: wsUrlOf(baseUrl),
    webSocketImpl: TestSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    retryAttempts: 0,
    keepAlive: 0,
    onNonLazyError: () => {},
    on: { closed: (event) => onClosed((event as { code: number }).code) },
  });
  return { client, closed, socket };
}

export interface Subscription<T> {
  events: T[];
  errors: unknown[];
  /** Resolves with the first event (already received or future) that matches. */
  next(match?: (event: T) => boolean): Promise<T>;
  /** Resolves when the server completes the subscription or it fails. */
  ended: Promise<void>;
  dispose(): void;
}

/** Subscribes and collects `data[field]` of every `next`. */
export function subscribe<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  field: string,
): Subscription<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  const waiters: { match: (event: T) => boolean; resolve: (event: T) => void }[] = [];
  let onEnded: () => void = () => {};
  const ended = new Promise<void>((resolve) => (onEnded = resolve));
  const dispose = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        const event = result.data?.[field];
        if (event === undefined) return;
        events.push(event);
        for (const waiter of waiters.filter((w) => w.match(event))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(event);
        }
      },
      error: (error) => {
        errors.push(error);
        onEnded();
      },
      complete: () => onEnded(),
    },
  );
  return {
    events,
    errors,
    ended,
    next(match = () => true) {
      const found = events.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<T>((resolve) => waiters.push({ match, resolve }));
    },
    dispose,
  };
}

export const MESSAGES = `subscription Messages($id: ID!) {
  messages(conversationId: $id) { conversationId direction text buttons { id title } action messageId at }
}`;

export const STATE = `subscription State($id: ID!) {
  conversationState(conversationId: $id) { conversationId state status version pendingWorkflow { dagId runId } }
}`;

export const START = 'mutation { startConversation { conversationId token } }';

export const SEND = `mutation Send($id: ID!, $text: String, $action: String, $clientMessageId: String) {
  sendMessage(conversationId: $id, text: $text, action: $action, clientMessageId: $clientMessageId) {
    conversationId messageId state status duplicate replies { direction text buttons { id title } }
  }
}`;

export interface MessageEvent {
  conversationId: string;
  direction: 'IN' | 'OUT';
  text: string;
  buttons: { id: string; title: string }[];
  action: string | null;
  messageId: string | null;
  at: string;
}

export interface StateEvent {
  conversationId: string;
  state: string | null;
  status: 'IDLE' | 'AWAITING_INPUT' | 'PROCESSING' | 'HANDOFF';
  version: number;
  pendingWorkflow: { dagId: string; runId: string } | null;
}

export async function startConversation(baseUrl: string): Promise<{ conversationId: string; token: string }> {
  const result = await postGraphql<{ startConversation: { conversationId: string; token: string } }>(baseUrl, START);
  if (!result.data) throw new Error(`startConversation failed: ${JSON.stringify(result.errors)}`);
  return result.data.startConversation;
}
