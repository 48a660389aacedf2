// omnibot web chat: GraphQL over HTTP for mutations, graphql-ws (graphql-transport-ws) for live messages.
// The page's flow: the browser's conversation (kept in localStorage), the subscriptions, sending, and
// starting over. No framework, no bundler. UI texts are Spanish.
import { createStatusView } from './status.js';
import { createTranscript } from './transcript.js';

// graphql-client.js (a classic script loaded before this module; shared with the operator console).
const { GraphqlWsClient, graphql, graphqlSocketUrl } = globalThis.omnibotGraphql;

const STORAGE_KEY = 'omnibot.webchat';
const MESSAGE_FIELDS = 'conversationId direction text buttons { id title } action messageId agent kind at';

const $ = (id) => document.getElementById(id);
const ui = {
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
const CONNECTION_LOST = 'Se perdió la conexión con el asistente.';

const status = createStatusView({ processing: $('processing'), handoff: $('handoff'), handoffWho: $('handoff-who') });
const transcript = createTranscript({
  list: $('messages'),
  empty: $('empty'),
  onChoice: (choice) => send(choice),
  onAgent: (label) => status.showAgent(label),
});

let session = null; // { conversationId, token }
let client = null;
/** Both subscriptions are live: the user may type. */
let live = false;

const call = (query, variables) => graphql(session?.token, query, variables);

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
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

async function send({ text, action, label }) {
  if (!live) return;
  showError('');
  const takeBack = transcript.addPending({ text, action, label });
  const clientMessageId =
    globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  try {
    const data = await call(
      `mutation Send($id: ID!, $text: String, $action: String, $clientMessageId: String) {
        sendMessage(conversationId: $id, text: $text, action: $action, clientMessageId: $clientMessageId) { status }
      }`,
      { id: session.conversationId, text: text ?? null, action: action ?? null, clientMessageId },
    );
    // The state subscription is authoritative (ordered by version); this only covers a lost socket.
    if (!live) status.show(data.sendMessage.status);
  } catch (error) {
    takeBack();
    showError(ERROR_TEXT[error.code] ?? 'No pude enviar el mensaje. Inténtalo de nuevo.');
    if (error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN') await restart();
  }
}

async function loadHistory() {
  const current = session;
  const data = await call(
    `query History($id: ID!) { conversation(id: $id) { status version messages(last: 50) { ${MESSAGE_FIELDS} } } }`,
    { id: current.conversationId },
  );
  // A conversation started meanwhile ("Nueva conversación") must not show the old one's messages.
  if (session !== current || !data.conversation) return;
  for (const entry of data.conversation.messages) transcript.render(entry);
  status.apply(data.conversation.status, data.conversation.version);
}

function subscribe() {
  const variables = { id: session.conversationId };
  client.subscribe(
    `subscription Messages($id: ID!) { messages(conversationId: $id) { ${MESSAGE_FIELDS} } }`,
    variables,
    {
      next: ({ data }) => (data ? transcript.render(data.messages) : showError(CONNECTION_LOST)),
      error: () => showError(CONNECTION_LOST),
    },
  );
  client.subscribe(
    `subscription State($id: ID!) { conversationState(conversationId: $id) { status version } }`,
    variables,
    {
      next: ({ data }) => {
        if (!data) return showError(CONNECTION_LOST);
        status.apply(data.conversationState.status, data.conversationState.version);
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
  const data = await call('mutation { startConversation { conversationId token } }');
  session = data.startConversation;
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

function connect() {
  client = new GraphqlWsClient(graphqlSocketUrl(), {
    token: session.token,
    onStatus: setConnection,
    onAuthFailure: () => restart(),
  });
  subscribe();
}

async function restart() {
  client?.close();
  setLive(false);
  transcript.clear();
  status.reset();
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
