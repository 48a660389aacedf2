// The conversations waiting for a person: read once (and again after every reconnect), then kept
// current by the `handoffs` subscription: a new hand-off appears, a released one leaves, a person's
// reply shows who answers, a user's message marks its conversation until the operator sees it.
// Each entry says how long its user has waited (updated every minute); unanswered ones come first.
import { $, channelName, displayName, el, errorText, say, timeOf } from './dom.js';
import { forgetAllBut, markSeen, onSeen, seenAt } from './seen.js';
import { compareWaiting, handoffFromTranscript, waitText } from './waiting.js';

const MESSAGE = 'direction text at agent kind';
const WAITING = `query Waiting($offset: Int) {
  conversations(status: HANDOFF, offset: $offset, limit: 100) {
    nextOffset
    items { id channel updatedAt user { id name } messages(last: 50) { ${MESSAGE} } }
  }
}`;
const HANDOFFS = `subscription Handoffs {
  handoffs { kind conversationId channel userName status at message { ${MESSAGE} } }
}`;
/** Pages of the list read at most (the filter reads up to 500 conversations per page). */
const MAX_PAGES = 20;
const MINUTE = 60_000;

const isLater = (a, b) => Boolean(a) && (!b || Date.parse(a) > Date.parse(b));

export function createQueue({ client, call, isOpen }) {
  /** conversation id → { id, channel, userName, last, at, startedAt, approximate, agent, lastUserAt } */
  const waiting = new Map();
  /** Events that arrived while the list was being read: applied on top of what it read. */
  let buffered = null;

  function apply(event) {
    if (buffered) return buffered.push(event);
    const id = event.conversationId;
    if (event.kind === 'ENDED' || event.status !== 'HANDOFF') {
      waiting.delete(id);
      return render();
    }
    let item = waiting.get(id);
    if (!item || event.kind === 'STARTED') {
      // A hand-off seen starting (or one missed while disconnected: it started no later than this).
      item = { id, channel: event.channel, startedAt: event.at, approximate: event.kind !== 'STARTED', agent: null };
      item.lastUserAt = waiting.get(id)?.lastUserAt ?? null;
      waiting.set(id, item);
    }
    item.userName = event.userName ?? item.userName;
    item.at = event.at;
    const message = event.message;
    if (message) item.last = message;
    if (event.kind === 'AGENT_MESSAGE') item.agent = message?.agent ?? 'Operador';
    if ((event.kind === 'USER_MESSAGE' || event.kind === 'STARTED') && message) {
      item.lastUserAt = message.at;
      if (isOpen(id)) markSeen(id, message.at);
    }
    render();
  }

  /** A reload asked for while one runs (a reconnect meanwhile): run once more after it. */
  let again = false;

  async function reload() {
    if (buffered) {
      again = true;
      return;
    }
    buffered = [];
    try {
      const read = new Map();
      let offset = 0;
      for (let page = 0; page < MAX_PAGES && offset !== null; page++) {
        const { conversations } = await call(WAITING, { offset });
        for (const c of conversations.items) read.set(c.id, fromList(c));
        offset = conversations.nextOffset;
      }
      waiting.clear();
      for (const [id, item] of read) waiting.set(id, item);
      forgetAllBut(waiting);
      say($('queue-error'), '');
    } catch (error) {
      say($('queue-error'), errorText(error));
    } finally {
      const events = buffered;
      buffered = null;
      for (const event of events) apply(event);
      render();
    }
    if (again) {
      again = false;
      await reload();
    }
  }

  function fromList(c) {
    // What the user or a person said last (the assistant's own notes say little).
    const last = c.messages.findLast((m) => m.direction === 'IN' || m.agent) ?? c.messages.at(-1);
    const handoff = handoffFromTranscript(c.messages, c.updatedAt);
    return { id: c.id, channel: c.channel, userName: c.user.name, last, at: c.updatedAt, ...handoff };
  }

  /** 'Nueva' (nothing seen since the hand-off started), 'Nuevo mensaje' (the user wrote since), or null. */
  function newness(item) {
    if (isOpen(item.id) || !item.lastUserAt) return null;
    const seen = seenAt(item.id);
    if (!isLater(item.lastUserAt, seen)) return null;
    return !seen || isLater(item.startedAt, seen) ? 'Nueva' : 'Nuevo mensaje';
  }

  function entry(item) {
    const link = el('a', 'queue__item', null);
    link.href = `#/c/${encodeURIComponent(item.id)}`;
    link.dataset.id = item.id;
    link.title = item.id;
    const badge = newness(item);
    if (badge) link.classList.add('queue__item--unread');
    if (isOpen(item.id)) link.ariaCurrent = 'true';
    const top = el('span', 'queue__top', el('span', 'queue__who', displayName(item.id, item.channel, item.userName)));
    if (badge) top.append(el('span', 'badge badge--new', badge));
    const handler = item.agent
      ? el('span', 'chip chip--agent', `Atiende ${item.agent}`)
      : el('span', 'chip chip--unanswered', 'Sin respuesta');
    const chips = el('span', 'queue__chips', el('span', 'chip', channelName(item.channel)), handler);
    // A person's reply already starts with their signature ("Ana (supervisora): …").
    const said = item.last;
    const last = !said ? '' : said.direction === 'IN' || said.agent ? said.text : `Asistente: ${said.text}`;
    const since = el('span', 'queue__since', waitText(item));
    const foot = el('span', 'queue__foot', since, el('span', 'queue__time', timeOf(item.at)));
    link.append(top, chips, el('span', 'queue__last', last), foot);
    return { node: el('li', null, link), unread: Boolean(badge) };
  }

  function render() {
    const items = [...waiting.values()].sort(compareWaiting);
    const entries = items.map(entry);
    const list = $('queue-list');
    // Keyboard focus stays on the same conversation when the list is drawn again.
    const focused = list.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    list.replaceChildren(...entries.map(({ node }) => node));
    if (focused) list.querySelector(`[data-id="${CSS.escape(focused)}"]`)?.focus();
    $('queue-empty').hidden = items.length > 0;
    $('queue-count').textContent = String(items.length);
    const unread = entries.filter((e) => e.unread).length;
    document.title = `${unread ? `(${unread}) ` : ''}Consola de operadores · Somacor`;
  }

  /** The waits shown move on every minute. */
  function tick() {
    for (const link of $('queue-list').querySelectorAll('.queue__item')) {
      const item = waiting.get(link.dataset.id);
      if (item) link.querySelector('.queue__since').textContent = waitText(item);
    }
  }

  const stopSubscription = client.subscribe(
    HANDOFFS,
    {},
    {
      next: ({ data }) => data && apply(data.handoffs),
      error: (errors) => say($('queue-error'), errorText({ code: errors?.[0]?.extensions?.code })),
    },
  );
  // A transcript read marks many messages seen at once: the list is drawn once after them.
  let drawPending = false;
  const stopSeen = onSeen(() => {
    if (drawPending) return;
    drawPending = true;
    queueMicrotask(() => {
      drawPending = false;
      render();
    });
  });
  const ticker = setInterval(tick, MINUTE);
  reload();

  return {
    reload,
    /** The open conversation changed: its entry is drawn as open (and not new). */
    render,
    close() {
      stopSubscription();
      stopSeen();
      clearInterval(ticker);
    },
  };
}
