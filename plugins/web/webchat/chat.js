// omnibot web chat: GraphQL over HTTP for mutations, graphql-ws (graphql-transport-ws) for live messages.
// No framework, no bundler. UI texts are Spanish.

const STORAGE_KEY = 'omnibot.webchat';
const GRAPHQL_PATH = '/graphql';

const MESSAGE_FIELDS = 'conversationId direction text buttons { id title } action messageId agent at';

// ---------------------------------------------------------------------------------------------------
// A minimal graphql-transport-ws client: connection_init with the token, ping/pong, subscribe/complete,
// resubscription after a reconnect (with backoff). Every operation is long-lived: when the server ends
// one (error or complete), the client reconnects and resubscribes them all.
// ---------------------------------------------------------------------------------------------------

class GraphqlWsClient {
  constructor(url, { token, onStatus, onAuthFailure }) {
    this.retryTimer = null;
    this.openedAt = 0;
    this.url = url;
    this.token = token;
    this.onStatus = onStatus;
    this.onAuthFailure = onAuthFailure;
    this.operations = new Map();
    this.nextId = 1;
    this.attempt = 0;
    this.acked = false;
    this.stopped = false;
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
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++);
      this.retryTimer = setTimeout(() => this.connect(), delay);
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
        this.onStatus('open');
        for (const [id, op] of this.operations) this.send({ id, type: 'subscribe', payload: op.payload });
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
        if (codes.includes('UNAUTHENTICATED') || codes.includes('FORBIDDEN')) {
          this.operations.delete(message.id);
          this.onAuthFailure();
          break;
        }
        if (message.type === 'error') operation.sink.error?.(message.payload);
        this.reconnect();
        break;
      }
    }
  }

  /** Closes the socket; its close handler reconnects with backoff. */
  reconnect() {
    const socket = this.socket;
    if (this.stopped || !socket || socket.readyState >= WebSocket.CLOSING) return;
    socket.close(1000, 'resubscribe');
  }

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

// ---------------------------------------------------------------------------------------------------
// The chat.
// ---------------------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const ui = {
  messages: $('messages'),
  empty: $('empty'),
  processing: $('processing'),
  handoff: $('handoff'),
  handoffWho: $('handoff-who'),
  error: $('error'),
  connection: $('connection'),
  form: $('composer'),
  text: $('text'),
  send: $('send'),
  restart: $('restart'),
};

const CONNECTION_TEXT = { connecting: 'Conectando…', open: 'En línea', reconnecting: 'Reconectando…' };
const ERROR_TEXT = {
  UNAUTHENTICATED: 'La sesión expiró. Empieza una conversación nueva.',
  FORBIDDEN: 'La sesión expiró. Empieza una conversación nueva.',
  RATE_LIMITED: 'Estás enviando mensajes muy rápido. Espera un momento e inténtalo de nuevo.',
  BAD_USER_INPUT: 'No pude enviar ese mensaje.',
};

let session = null; // { conversationId, token }
let client = null;
let live = false;
const seen = new Set(); // keys of rendered transcript entries
const pending = []; // optimistic user bubbles waiting for their echo: { text, action, item }
const buttonTitles = new Map(); // button id -> title (to show a pressed button as the user's message)

class GraphqlRequestError extends Error {
  constructor(error) {
    super(error.message);
    this.code = error.extensions?.code ?? 'INTERNAL_SERVER_ERROR';
  }
}

async function graphql(query, variables = {}) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
  if (session) headers.authorization = `Bearer ${session.token}`;
  const response = await fetch(GRAPHQL_PATH, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors?.length) throw new GraphqlRequestError(body.errors[0]);
  return body.data;
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

let stateVersion = -1;

/** Applies a conversation status unless a newer one (higher version) was already shown. */
function applyState(status, version) {
  if (version < stateVersion) return;
  stateVersion = version;
  setStatus(status);
}

function setStatus(status) {
  document.body.dataset.status = status === 'PROCESSING' ? 'processing' : status === 'HANDOFF' ? 'handoff' : 'idle';
  ui.processing.hidden = status !== 'PROCESSING';
  ui.handoff.hidden = status !== 'HANDOFF';
  // A hand-off that ended forgets who answered: the next one waits for a person again.
  if (status !== 'HANDOFF') showAgent(null);
}

/** The hand-off banner: waiting for a person, or who answers ("Ana (supervisora)", the reply's `agent`). */
function showAgent(label) {
  if (label) document.body.dataset.agent = label;
  else delete document.body.dataset.agent;
  ui.handoffWho.textContent = !label
    ? 'Esperando a un supervisor…'
    : label === 'Operador'
      ? 'Te atiende un operador'
      : `Te atiende ${label}`;
}

function setConnection(state) {
  document.body.dataset.connection = state;
  ui.connection.textContent = CONNECTION_TEXT[state] ?? state;
  if (state !== 'open') setLive(false);
}

function setLive(value) {
  live = value;
  ui.text.disabled = !value;
  ui.send.disabled = !value;
  if (value) ui.text.focus();
}

function timeOf(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleTimeString('es-CL', { hour: '2-digit', minute: '2-digit' });
}

/** A one-time link code in a reply (stored transcripts keep `/link/[enlace]` instead; see core/identity/redact.ts). */
const LINK_CODE = /\/link\/[A-Za-z0-9_-]{32,64}(?![A-Za-z0-9_-])/g;

function entryKey(entry) {
  // The live reply and its stored copy (link code redacted) are the same message.
  return entry.direction === 'IN' && entry.messageId
    ? `in:${entry.messageId}`
    : `${entry.direction}:${entry.at}:${entry.text.replace(LINK_CODE, '/link/[enlace]')}`;
}

/**
 * Adds a message to the list. Entries arrive in order, except those of a gap re-read after a reconnect:
 * an entry with a server time (`at`) goes before the first one that is later; optimistic bubbles
 * (no `at` yet) go last. Returns the item and whether it is the newest.
 */
function bubble(direction, text, at, { optimistic = false } = {}) {
  ui.empty.hidden = true;
  const item = document.createElement('li');
  item.className = `message message--${direction === 'IN' ? 'in' : 'out'}`;
  const body = document.createElement('div');
  body.className = 'message__bubble';
  fillText(body, text, direction !== 'IN');
  const time = document.createElement('span');
  time.className = 'message__time';
  time.textContent = timeOf(at);
  item.append(body, time);
  const later = optimistic
    ? undefined
    : [...ui.messages.querySelectorAll('.message[data-at]')].find((other) => other.dataset.at > at);
  if (!optimistic) item.dataset.at = at;
  if (later) {
    ui.messages.insertBefore(item, later);
    return { item, newest: false };
  }
  ui.messages.append(item);
  return { item, newest: true };
}

/** Whether the list shows its end: then it keeps showing it when the banners above the input bar resize it. */
let pinnedToEnd = true;

/** Scrolls to the end of the list; called once a message is complete (its text and its buttons). */
function scrollToNewest() {
  ui.messages.scrollTop = ui.messages.scrollHeight;
  pinnedToEnd = true;
}

ui.messages.addEventListener('scroll', () => {
  pinnedToEnd = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 4;
});
new ResizeObserver(() => {
  if (pinnedToEnd) scrollToNewest();
}).observe(ui.messages);

/** The account-link page (`{PUBLIC_URL}/link/<code>`): the one kind of URL a reply makes clickable. */
const LINK_PAGE = /https?:\/\/[^\s]+?\/link\/[A-Za-z0-9_-]+/g;

/** A work order number (`OT-CORR-CAT-001-20261124170414-768`): shown unbroken, never split at a hyphen. */
const ORDER_NUMBER = /\bOT-[A-Z0-9]+(?:-[A-Z0-9]+)*/gi;

/**
 * The text as DOM nodes (no HTML is parsed): the assistant's link-page URLs as links, order numbers in a
 * span that never wraps.
 */
function fillText(element, text, fromBot) {
  let at = 0;
  for (const match of fromBot ? text.matchAll(LINK_PAGE) : []) {
    appendWithOrderNumbers(element, text.slice(at, match.index));
    const anchor = document.createElement('a');
    anchor.href = match[0];
    anchor.textContent = match[0];
    anchor.target = '_blank';
    anchor.rel = 'noopener noreferrer';
    element.append(anchor);
    at = match.index + match[0].length;
  }
  appendWithOrderNumbers(element, text.slice(at));
}

function appendWithOrderNumbers(element, text) {
  let at = 0;
  for (const match of text.matchAll(ORDER_NUMBER)) {
    element.append(text.slice(at, match.index));
    const number = document.createElement('span');
    number.className = 'order-number';
    number.textContent = match[0];
    element.append(number);
    at = match.index + match[0].length;
  }
  element.append(text.slice(at));
}

/** Disables the choices of every message but `current` (they answer an older question). */
function disableOldChoices(current) {
  for (const button of ui.messages.querySelectorAll('.message__buttons button')) {
    if (!current?.contains(button)) button.disabled = true;
  }
}

function renderButtons(item, buttons) {
  const group = document.createElement('div');
  group.className = 'message__buttons';
  for (const choice of buttons) {
    buttonTitles.set(choice.id, choice.title);
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = choice.title;
    button.addEventListener('click', () => send({ action: choice.id, label: choice.title }));
    group.append(button);
  }
  item.insertBefore(group, item.lastChild);
}

function render(entry) {
  const key = entryKey(entry);
  if (seen.has(key)) return;
  seen.add(key);
  const text = entry.action ? (buttonTitles.get(entry.action) ?? entry.action) : entry.text;
  if (entry.direction === 'IN') {
    const index = pending.findIndex((p) => (entry.action ? p.action === entry.action : p.text === entry.text));
    if (index >= 0) {
      const [mine] = pending.splice(index, 1);
      mine.item.classList.remove('message--pending');
      mine.item.dataset.at = entry.at;
      return;
    }
    if (bubble('IN', text, entry.at).newest) scrollToNewest();
    return;
  }
  const { item, newest } = bubble('OUT', text, entry.at);
  if (entry.agent) item.classList.add('message--agent');
  if (entry.agent && newest) showAgent(entry.agent);
  if (entry.buttons?.length) {
    renderButtons(item, entry.buttons);
    // Choices of an older message (re-read after a reconnect) are no longer current.
    if (!newest) for (const button of item.querySelectorAll('button')) button.disabled = true;
  }
  if (!newest) return;
  disableOldChoices(item);
  scrollToNewest();
}

async function send({ text, action, label }) {
  if (!live) return;
  showError('');
  disableOldChoices();
  const { item } = bubble('IN', label ?? text, new Date().toISOString(), { optimistic: true });
  item.classList.add('message--pending');
  scrollToNewest();
  const mine = { text, action, item };
  pending.push(mine);
  const clientMessageId =
    globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  try {
    const data = await graphql(
      `mutation Send($id: ID!, $text: String, $action: String, $clientMessageId: String) {
        sendMessage(conversationId: $id, text: $text, action: $action, clientMessageId: $clientMessageId) { status }
      }`,
      { id: session.conversationId, text: text ?? null, action: action ?? null, clientMessageId },
    );
    // The state subscription is authoritative (ordered by version); this only covers a lost socket.
    if (!live) setStatus(data.sendMessage.status);
  } catch (error) {
    const index = pending.indexOf(mine);
    if (index >= 0) pending.splice(index, 1);
    item.remove();
    showError(ERROR_TEXT[error.code] ?? 'No pude enviar el mensaje. Inténtalo de nuevo.');
    if (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN') await restart();
  }
}

async function loadHistory() {
  const current = session;
  const data = await graphql(
    `query History($id: ID!) { conversation(id: $id) { status version messages(last: 50) { ${MESSAGE_FIELDS} } } }`,
    { id: current.conversationId },
  );
  // A conversation started meanwhile ("Nueva conversación") must not show the old one's messages.
  if (session !== current || !data.conversation) return;
  for (const entry of data.conversation.messages) render(entry);
  applyState(data.conversation.status, data.conversation.version);
}

const CONNECTION_LOST = 'Se perdió la conexión con el asistente.';

function subscribe() {
  const variables = { id: session.conversationId };
  client.subscribe(
    `subscription Messages($id: ID!) { messages(conversationId: $id) { ${MESSAGE_FIELDS} } }`,
    variables,
    {
      next: ({ data }) => (data ? render(data.messages) : showError(CONNECTION_LOST)),
      error: () => showError(CONNECTION_LOST),
    },
  );
  client.subscribe(
    `subscription State($id: ID!) { conversationState(conversationId: $id) { status version } }`,
    variables,
    {
      next: ({ data }) => {
        if (!data) return showError(CONNECTION_LOST);
        applyState(data.conversationState.status, data.conversationState.version);
        // The first state event means both subscriptions are live: fill any gap, then let the user type.
        if (!live) {
          if (ui.error.textContent === CONNECTION_LOST) showError('');
          loadHistory().then(
            () => setLive(true),
            () => setLive(true),
          );
        }
      },
      error: () => showError(CONNECTION_LOST),
    },
  );
}

async function startConversation() {
  session = null;
  const data = await graphql('mutation { startConversation { conversationId token } }');
  session = data.startConversation;
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

function connect() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${GRAPHQL_PATH}`;
  client = new GraphqlWsClient(url, { token: session.token, onStatus: setConnection, onAuthFailure: () => restart() });
  subscribe();
}

async function restart() {
  client?.close();
  setLive(false);
  seen.clear();
  pending.length = 0;
  for (const item of ui.messages.querySelectorAll('.message')) item.remove();
  ui.empty.hidden = false;
  stateVersion = -1;
  setStatus('IDLE');
  localStorage.removeItem(STORAGE_KEY);
  await start();
}

async function start() {
  try {
    session = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    session = null;
  }
  try {
    // Conversations stored before browser ids had their own namespace (`web:~…`) start afresh.
    if (!session?.conversationId?.startsWith('web:~') || !session?.token) await startConversation();
    connect();
  } catch {
    showError('No pude conectar con el asistente. Recarga la página en unos segundos.');
  }
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.text.value.trim();
  if (!text) return;
  ui.text.value = '';
  send({ text });
});
ui.restart.addEventListener('click', () => restart());

start();
