// One conversation, live: its transcript (read, then the `messages` subscription), its status
// (`conversationState`), the operator's reply (`replyAsAgent`, signed with their name and role) and the
// hand-back to the assistant (`releaseHandoff`, after a one-step confirmation).
import { $, channelName, displayName, el, errorText, say, timeOf } from './dom.js';
import { markSeen } from './seen.js';

const FIELDS = 'direction text at agent messageId';
const READ = `query Conversation($id: ID!) {
  conversation(id: $id) { id channel status version user { id name } messages(last: 100) { ${FIELDS} } }
}`;
const MESSAGES = `subscription Messages($id: ID!) { messages(conversationId: $id) { ${FIELDS} } }`;
const STATE = `subscription State($id: ID!) { conversationState(conversationId: $id) { status version } }`;
const REPLY = `mutation Reply($id: ID!, $text: String!, $name: String, $role: String) {
  replyAsAgent(conversationId: $id, text: $text, agentName: $name, agentRole: $role) { status }
}`;
const RELEASE = `mutation Release($id: ID!) { releaseHandoff(conversationId: $id) { status } }`;

const STATUS_TEXT = {
  IDLE: 'con el asistente',
  AWAITING_INPUT: 'con el asistente (responde una pregunta)',
  PROCESSING: 'con el asistente (procesando)',
  HANDOFF: 'espera a una persona',
};

/** The same breakpoint as the stylesheets: wider screens show the list beside the conversation. */
const WIDE = '(min-width: 761px)';

export function createConversationView({ client, call, signal, agent }) {
  /** The open conversation: { id, seen, version, stops, status, channel, focusReply } */
  let open = null;
  const list = $('transcript');

  // The transcript keeps showing its end while it is there (a note or an error below it shrinks it).
  let pinnedToEnd = true;
  /** Where the console itself last scrolled to: its own scroll events say nothing of the reader's wish. */
  let scrolledTo = null;
  const scrollToEnd = () => {
    list.scrollTop = list.scrollHeight;
    scrolledTo = list.scrollTop;
    pinnedToEnd = true;
  };
  list.addEventListener(
    'scroll',
    () => {
      // A scroll event runs after the layout may have changed again (a note shown in the same frame).
      if (list.scrollTop === scrolledTo) return;
      scrolledTo = null;
      pinnedToEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 4;
    },
    { signal },
  );
  const resized = new ResizeObserver(() => pinnedToEnd && scrollToEnd());
  resized.observe(list);
  signal.addEventListener('abort', () => resized.disconnect());

  /** "Web · espera a una persona" */
  function showMeta() {
    const parts = [channelName(open.channel ?? ''), STATUS_TEXT[open.status] ?? open.status];
    $('conversation-meta').textContent = parts.filter(Boolean).join(' · ');
  }

  function confirming(on) {
    $('release').hidden = on;
    $('release-confirm').hidden = !on;
  }

  function setStatus(status, version) {
    if (!open || version < open.version) return;
    open.version = version;
    const handedOff = status === 'HANDOFF';
    open.status = status;
    showMeta();
    say(
      $('conversation-note'),
      handedOff ? '' : 'Esta conversación ya no espera a una persona: no puedes responderle.',
    );
    for (const control of ['reply-text', 'reply-send', 'release', 'release-yes']) $(control).disabled = !handedOff;
    if (!handedOff) confirming(false);
    // On a wide screen the operator can type at once (a phone would raise its keyboard over the transcript).
    if (handedOff && open.focusReply) $('reply-text').focus();
    open.focusReply = false;
  }

  function add(message) {
    const key =
      message.direction === 'IN' && message.messageId
        ? `in:${message.messageId}`
        : `${message.direction}:${message.at}:${message.text}`;
    if (!open || open.seen.has(key)) return;
    open.seen.add(key);
    markSeen(open.id, message.at);
    // A person's reply starts with their signature ("Ana (supervisora): …"): above it, only the time.
    const who = message.direction === 'IN' ? 'Usuario · ' : message.agent ? '' : 'Asistente · ';
    const kind = message.direction === 'IN' ? 'in' : message.agent ? 'agent' : 'bot';
    const item = el(
      'li',
      `msg msg--${kind}`,
      el('span', 'msg__meta', `${who}${timeOf(message.at, { seconds: true })}`),
      el('span', 'msg__text', message.text),
    );
    item.dataset.at = message.at;
    const later = [...list.children].find((other) => other.dataset.at > message.at);
    list.insertBefore(item, later ?? null);
    if (!later) scrollToEnd();
  }

  async function reload() {
    const current = open;
    if (!current) return;
    try {
      const { conversation } = await call(READ, { id: current.id });
      if (open !== current) return;
      if (!conversation) return say($('conversation-error'), errorText({ code: 'NOT_FOUND' }));
      current.channel = conversation.channel;
      $('conversation-title').textContent = displayName(conversation.id, conversation.channel, conversation.user.name);
      showMeta();
      for (const message of conversation.messages) add(message);
      setStatus(conversation.status, conversation.version);
      say($('conversation-error'), '');
    } catch (error) {
      if (open === current) say($('conversation-error'), errorText(error));
    }
  }

  function show(id) {
    $('conversation').hidden = !id;
    if (open?.id === id) return;
    for (const stop of open?.stops ?? []) stop();
    open = null;
    if (!id) return;
    open = { id, seen: new Set(), version: -1, stops: [], focusReply: matchMedia(WIDE).matches };
    list.replaceChildren();
    pinnedToEnd = true;
    const [channel] = id.split(':');
    $('conversation-title').textContent = displayName(id, channel, null);
    $('conversation-title').title = id;
    $('conversation-id').textContent = id;
    $('conversation-meta').textContent = '';
    $('conversation-timeline').href = `#/timeline/${encodeURIComponent(id)}`;
    say($('conversation-note'), '');
    say($('conversation-error'), '');
    confirming(false);
    // Enabled once the conversation is known to wait for a person.
    for (const control of ['reply-text', 'reply-send', 'release', 'release-yes']) $(control).disabled = true;
    const variables = { id };
    const current = open;
    open.stops.push(
      client.subscribe(MESSAGES, variables, { next: ({ data }) => open === current && data && add(data.messages) }),
      client.subscribe(STATE, variables, {
        next: ({ data }) =>
          open === current && data && setStatus(data.conversationState.status, data.conversationState.version),
      }),
    );
    reload();
  }

  /**
   * Runs an operator action. Its messages arrive through the subscription (with their transcript
   * times); without a live socket the transcript is read again instead.
   */
  async function act(query, variables, button) {
    const current = open;
    button.disabled = true;
    say($('conversation-error'), '');
    try {
      await call(query, variables);
      if (open === current && !client.acked) await reload();
      return true;
    } catch (error) {
      if (open === current) say($('conversation-error'), errorText(error));
      return false;
    } finally {
      button.disabled = open?.status !== 'HANDOFF';
    }
  }

  $('reply-form').addEventListener(
    'submit',
    async (event) => {
      event.preventDefault();
      const text = $('reply-text').value.trim();
      if (!open || !text) return;
      const { name, role } = agent();
      const sent = await act(REPLY, { id: open.id, text, name, role: role || null }, $('reply-send'));
      if (sent) $('reply-text').value = '';
    },
    { signal },
  );
  $('reply-text').addEventListener(
    'keydown',
    (event) => {
      // Enter sends; Shift+Enter starts a new line.
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        $('reply-form').requestSubmit();
      }
    },
    { signal },
  );
  // "Devolver al asistente" asks once more, inline: "¿Seguro? Sí, devolver / No".
  $('release').addEventListener(
    'click',
    () => {
      if (!open) return;
      confirming(true);
      $('release-no').focus();
    },
    { signal },
  );
  $('release-no').addEventListener(
    'click',
    () => {
      confirming(false);
      $('release').focus();
    },
    { signal },
  );
  $('release-confirm').addEventListener('keydown', (event) => event.key === 'Escape' && $('release-no').click(), {
    signal,
  });
  $('release-yes').addEventListener(
    'click',
    async () => {
      if (!open) return;
      const released = await act(RELEASE, { id: open.id }, $('release-yes'));
      if (!released) confirming(false);
    },
    { signal },
  );

  return { show, reload, current: () => open?.id ?? null };
}
