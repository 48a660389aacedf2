// GraphQL for the operator console: queries and mutations over HTTP, subscriptions over
// graphql-transport-ws (a copy of the web chat's minimal client, plugins/web/webchat/chat.js).

export const GRAPHQL_PATH = '/graphql';

export class GraphqlError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

/** One query or mutation with the admin token; throws a GraphqlError with the server's `extensions.code`. */
export async function graphql(token, query, variables = {}) {
  let response;
  try {
    response = await fetch(GRAPHQL_PATH, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GraphqlError('network error', 'NETWORK');
  }
  const body = await response.json().catch(() => ({}));
  const [first] = body.errors ?? [];
  if (first) throw new GraphqlError(first.message, first.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  if (!body.data) throw new GraphqlError(`HTTP ${response.status}`, response.status === 503 ? 'UNAVAILABLE' : 'HTTP');
  return body.data;
}

const AUTH_CODES = ['UNAUTHENTICATED', 'FORBIDDEN'];

/**
 * graphql-transport-ws: connection_init with the token, ping/pong, subscribe/complete, and every
 * subscription again after a reconnect (with backoff). `onStatus('open')` after each connection_ack is
 * the moment to re-read what a gap may have missed.
 */
export class GraphqlWsClient {
  constructor(url, { token, onStatus, onAuthFailure }) {
    Object.assign(this, { url, token, onStatus, onAuthFailure });
    this.operations = new Map();
    this.nextId = 1;
    this.attempt = 0;
    this.acked = false;
    this.openedAt = 0;
    this.stopped = false;
    this.retryTimer = null;
    this.connect();
  }

  connect() {
    this.retryTimer = null;
    if (this.stopped) return;
    this.acked = false;
    this.onStatus('connecting');
    const socket = new WebSocket(this.url, 'graphql-transport-ws');
    this.socket = socket;
    socket.onopen = () => this.send({ type: 'connection_init', payload: { authorization: `Bearer ${this.token}` } });
    socket.onmessage = (event) => this.receive(JSON.parse(event.data));
    socket.onclose = (event) => {
      if (this.socket !== socket || this.stopped) return;
      if (event.code === 4403 || event.code === 4401) return this.onAuthFailure();
      if (this.acked && Date.now() - this.openedAt > 30_000) this.attempt = 0;
      this.acked = false;
      this.onStatus('reconnecting');
      this.retryTimer = setTimeout(() => this.connect(), Math.min(10_000, 500 * 2 ** this.attempt++));
    };
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  receive(message) {
    if (this.stopped) return;
    const operation = this.operations.get(message.id);
    switch (message.type) {
      case 'connection_ack':
        this.acked = true;
        this.openedAt = Date.now();
        for (const [id, op] of this.operations) this.send({ id, type: 'subscribe', payload: op.payload });
        this.onStatus('open');
        break;
      case 'ping':
        this.send({ type: 'pong' });
        break;
      case 'next':
        operation?.sink.next(message.payload);
        break;
      case 'error':
      case 'complete': {
        // The server ended a subscription the console still needs: reconnect, which resubscribes all.
        if (!operation) break;
        const codes = (Array.isArray(message.payload) ? message.payload : []).map((e) => e?.extensions?.code);
        if (codes.some((code) => AUTH_CODES.includes(code))) {
          this.operations.delete(message.id);
          this.onAuthFailure();
          break;
        }
        if (message.type === 'error') operation.sink.error?.(message.payload);
        if (this.socket && this.socket.readyState < WebSocket.CLOSING) this.socket.close(1000, 'resubscribe');
        break;
      }
    }
  }

  /** Starts a subscription (now, or once connected); returns its stop function. */
  subscribe(query, variables, sink) {
    const id = String(this.nextId++);
    const payload = { query, variables };
    this.operations.set(id, { payload, sink });
    if (this.acked) this.send({ id, type: 'subscribe', payload });
    return () => {
      if (this.operations.delete(id)) this.send({ id, type: 'complete' });
    };
  }

  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'bye');
  }
}
