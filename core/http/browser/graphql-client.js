// The browser's GraphQL client, shared by the web chat and the operator console: queries and mutations
// over HTTP, subscriptions over graphql-transport-ws. No framework, no bundler.
//
// A classic script, not a module: each page serves it at its own path (core/http/static-assets.ts) and
// loads it with `<script defer src>` before its modules, which read `globalThis.omnibotGraphql` (a
// module import across folders would name a path that exists on disk but not on the page's origin).
{
  const GRAPHQL_PATH = '/graphql';

  /** The WebSocket URL of `/graphql` on this page's origin. */
  const graphqlSocketUrl = () => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${GRAPHQL_PATH}`;

  /** A refused call: `code` is the server's `extensions.code`, or NETWORK, UNAVAILABLE (503) or HTTP. */
  class GraphqlError extends Error {
    constructor(message, code) {
      super(message);
      this.code = code;
    }
  }

  /** One query or mutation, with `token` as the bearer when there is one; throws a GraphqlError. */
  const graphql = async (token, query, variables = {}) => {
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(GRAPHQL_PATH, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    } catch {
      throw new GraphqlError('network error', 'NETWORK');
    }
    const body = await response.json().catch(() => ({}));
    const [first] = body.errors ?? [];
    if (first) throw new GraphqlError(first.message, first.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    if (!body.data) throw new GraphqlError(`HTTP ${response.status}`, response.status === 503 ? 'UNAVAILABLE' : 'HTTP');
    return body.data;
  };

  const AUTH_CODES = ['UNAUTHENTICATED', 'FORBIDDEN'];

  /**
   * A minimal graphql-transport-ws client: connection_init with the token, ping/pong, subscribe/complete,
   * and every subscription again after a reconnect (with backoff). Every operation is long-lived: when the
   * server ends one (error or complete), the client reconnects and resubscribes them all.
   * `onStatus('open')` after each connection_ack is the moment to re-read what a gap may have missed.
   */
  class GraphqlWsClient {
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
        // A connection that stayed up a while was healthy: start the backoff over.
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
          // The server ended a subscription the page still needs (an error, a restart, a dropped bus):
          // reconnect, which resubscribes every operation; the caller re-reads what it missed.
          if (!operation) break;
          const codes = (Array.isArray(message.payload) ? message.payload : []).map((e) => e?.extensions?.code);
          if (codes.some((code) => AUTH_CODES.includes(code))) {
            this.operations.delete(message.id);
            this.onAuthFailure();
            break;
          }
          if (message.type === 'error') operation.sink.error?.(message.payload);
          // Closing the socket reconnects through its close handler.
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
      this.retryTimer = null;
      this.socket?.close(1000, 'bye');
    }
  }

  globalThis.omnibotGraphql = Object.freeze({ GraphqlError, GraphqlWsClient, graphql, graphqlSocketUrl });
}
