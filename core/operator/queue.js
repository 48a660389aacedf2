// The conversations waiting for a person: read once (and again after every reconnect), then kept
// current by the `handoffs` subscription: a new hand-off appears, a released one leaves, a user's
// message marks its conversation until the operator opens it.
import { $, channelName, el, errorText, say, timeOf } from './dom.js';

const RECENT = 'messages(last: 5) { direction text at agent }';
const WAITING = `query Waiting($offset: Int) {
  conversations(status: HANDOFF, offset: $offset, limit: 100) {
    nextOffset
    items { id channel updatedAt user { id name } ${RECENT} }
  }
}`;
const HANDOFFS = `subscription Handoffs {
  handoffs { kind conversationId channel userName status at message { direction text at agent } }
}`;
/** Pages of the list read at most (the filter reads up to 500 conversations per page). */
const MAX_PAGES = 20;

export function createQueue({ client, call, isOpen }) {
  /** conversation id → { id, channel, userName, last, at, unread } */
  const waiting = new Map();
  /** Events that arrived while the list was being read: applied on top of what it read. */
  let buffered = null;

  function apply(event) {
    if (buffered) return buffered.push(event);
    const known = waiting.get(event.conversationId);
    if (event.kind === 'ENDED' || event.status !== 'HANDOFF') {
      waiting.delete(event.conversationId);
    } else {
      const item = known ?? { id: event.conversationId, channel: event.channel, unread: false };
      item.userName = event.userName ?? item.userName;
      item.at = event.at;
      if (event.message) item.last = event.message;
      if (event.kind === 'USER_MESSAGE' && !isOpen(item.id)) item.unread = true;
      if (event.kind === 'STARTED' && !known && !isOpen(item.id)) item.unread = true;
      waiting.set(item.id, item);
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
        for (const c of conversations.items) {
          const unread = waiting.get(c.id)?.unread ?? false;
          // What the user or a person said last (the assistant's own notes say little).
          const last = c.messages.findLast((m) => m.direction === 'IN' || m.agent) ?? c.messages.at(-1);
          read.set(c.id, { id: c.id, channel: c.channel, userName: c.user.name, last, at: c.updatedAt, unread });
        }
        offset = conversations.nextOffset;
      }
      waiting.clear();
      for (const [id, item] of read) waiting.set(id, item);
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

  function entry(item) {
    const link = el('a', 'queue__item', null);
    link.href = `#/c/${encodeURIComponent(item.id)}`;
    link.dataset.id = item.id;
    if (item.unread) link.classList.add('queue__item--unread');
    if (isOpen(item.id)) link.ariaCurrent = 'true';
    const who = el('span', 'queue__who', item.userName || item.id);
    const top = el('span', 'queue__top', who, el('span', 'chip', channelName(item.channel)));
    if (item.unread) top.append(el('span', 'badge badge--new', 'Nuevo mensaje'));
    // A person's reply already starts with their signature ("Ana (supervisora): …").
    const said = item.last;
    const last = !said ? '' : said.direction === 'IN' || said.agent ? said.text : `Asistente: ${said.text}`;
    link.append(top, el('span', 'queue__last', last), el('span', 'queue__time', timeOf(item.at)));
    return el('li', null, link);
  }

  function render() {
    const items = [...waiting.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    $('queue-list').replaceChildren(...items.map(entry));
    $('queue-empty').hidden = items.length > 0;
    $('queue-count').textContent = String(items.length);
    const unread = items.filter((item) => item.unread).length;
    document.title = `${unread ? `(${unread}) ` : ''}Consola de operadores · Somacor`;
  }

  const stop = client.subscribe(
    HANDOFFS,
    {},
    {
      next: ({ data }) => data && apply(data.handoffs),
      error: (errors) => say($('queue-error'), errorText({ code: errors?.[0]?.extensions?.code })),
    },
  );
  reload();

  return {
    reload,
    /** The operator opened the conversation: its new messages are seen. */
    markRead(id) {
      const item = waiting.get(id);
      if (item) item.unread = false;
      render();
    },
    close: stop,
  };
}
