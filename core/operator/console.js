// omnibot operator console: sign-in with the admin token, the conversations waiting for a person,
// one conversation live (reply, release) and any conversation's timeline. GraphQL only; no framework.
import { createConversationView } from './conversation.js';
import { $, errorText, say } from './dom.js';
import { createQueue } from './queue.js';
import { createTimelineView } from './timeline.js';

// graphql-client.js (a classic script loaded before this module; shared with the web chat).
const { GraphqlWsClient, graphql, graphqlSocketUrl } = globalThis.omnibotGraphql;

const STORAGE_KEY = 'omnibot.operator';
const CONNECTION_TEXT = { connecting: 'Conectando…', open: 'En línea', reconnecting: 'Reconectando…' };
/** The strip over the dimmed console while it is not live. */
const OFFLINE_TEXT = {
  connecting: 'Conectando con omnibot…',
  reconnecting: 'Sin conexión: reconectando… Lo que ves puede no estar al día.',
};
const EXPIRED = 'La sesión ya no es válida: vuelve a entrar con el token de administrador.';

/** `{ token, name, role }`, for this browser tab only (after signing out, `{ name, role }`). */
let session = null;
let client = null;
let views = null;

/** "Ana (supervisora)": how users see the operator's replies. */
const agentLabel = ({ name, role }) => (role ? `${name} (${role})` : name);

function readStored() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    return typeof stored?.name === 'string' ? stored : null;
  } catch {
    return null;
  }
}

function readSession() {
  const stored = readStored();
  return stored?.token ? stored : null;
}

/** A query or mutation as the signed-in operator; a refused token ends the session. */
async function call(query, variables) {
  const token = session?.token;
  try {
    return await graphql(token, query, variables);
  } catch (error) {
    if ((error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN') && session?.token === token) {
      signOut(EXPIRED);
    }
    throw error;
  }
}

function setConnection(state) {
  document.body.dataset.connection = state;
  $('connection').textContent = CONNECTION_TEXT[state] ?? '';
  say($('connection-strip'), OFFLINE_TEXT[state] ?? '');
  if (state === 'open') views?.refresh();
}

function decodeHash(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

function start() {
  document.body.dataset.view = 'queue';
  $('signin').hidden = true;
  $('workspace').hidden = false;
  $('signout').hidden = false;
  $('who').textContent = `${agentLabel(session)} · `;
  client = new GraphqlWsClient(graphqlSocketUrl(), {
    token: session.token,
    onStatus: setConnection,
    onAuthFailure: () => signOut(EXPIRED),
  });
  // The views' own listeners live as long as this sign-in (`signal`).
  const signedIn = new AbortController();
  const { signal } = signedIn;
  const conversation = createConversationView({ client, call, signal, agent: () => session });
  const queue = createQueue({ client, call, isOpen: (id) => conversation.current() === id });
  const timeline = createTimelineView({ client, call, signal });
  views = {
    refresh() {
      queue.reload();
      conversation.reload();
      timeline.reload();
    },
    route() {
      const [, view = '', id = ''] = /^#\/([a-z]*)\/?(.*)$/.exec(location.hash) ?? [];
      const conversationId = decodeHash(id);
      document.body.dataset.view =
        view === 'c' && conversationId ? 'conversation' : view === 'timeline' ? 'timeline' : 'queue';
      conversation.show(view === 'c' && conversationId ? conversationId : null);
      queue.render();
      timeline.show(view === 'timeline', conversationId || null);
      $('placeholder').hidden = view === 'c' || view === 'timeline';
      $('tab-queue').ariaCurrent = view === 'timeline' ? null : 'page';
      $('tab-timeline').ariaCurrent = view === 'timeline' ? 'page' : null;
    },
    close() {
      signedIn.abort();
      queue.close();
      conversation.show(null);
      timeline.show(false, null);
    },
  };
  views.route();
}

function signOut(reason = '') {
  client?.close();
  client = null;
  views?.close();
  views = null;
  // The name and role stay for the next sign-in; only the token goes.
  const profile = session ?? readStored();
  session = null;
  if (profile) sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ name: profile.name, role: profile.role ?? '' }));
  $('agent-name').value = profile?.name ?? $('agent-name').value;
  $('agent-role').value = profile?.role ?? $('agent-role').value;
  previewLabel();
  document.body.dataset.view = 'signin';
  document.body.dataset.connection = 'closed';
  $('connection').textContent = '';
  say($('connection-strip'), '');
  $('who').textContent = '';
  $('workspace').hidden = true;
  $('signout').hidden = true;
  $('signin').hidden = false;
  say($('signin-error'), reason);
  $('token').focus();
}

/** What users will see before each reply, as the operator types their name and role. */
function previewLabel() {
  const name = $('agent-name').value.trim();
  const role = $('agent-role').value.trim();
  $('label-preview').textContent =
    `${name ? agentLabel({ name, role }) : agentLabel({ name: 'Ana', role: role || 'supervisora' })}: …`;
}

$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const candidate = {
    token: $('token').value.trim(),
    name: $('agent-name').value.trim(),
    role: $('agent-role').value.trim(),
  };
  if (!candidate.token || !candidate.name) return;
  say($('signin-error'), '');
  $('signin-submit').disabled = true;
  try {
    // Any admin-only query proves the token before the console opens.
    await graphql(candidate.token, 'query Check { conversations(status: HANDOFF, limit: 1) { total } }');
    session = candidate;
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    $('token').value = '';
    start();
  } catch (error) {
    say($('signin-error'), errorText(error));
  } finally {
    $('signin-submit').disabled = false;
  }
});
$('agent-name').addEventListener('input', previewLabel);
$('agent-role').addEventListener('input', previewLabel);
$('signout').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => views?.route());
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && document.body.dataset.connection === 'open') views?.refresh();
});

session = readSession();
if (session) start();
else signOut();
