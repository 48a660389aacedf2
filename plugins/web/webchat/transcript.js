// The list of messages: bubbles in server-time order, the choices of the newest reply, what the user
// sent shown at once (faded until its echo arrives), and scrolling that keeps the newest message in view.
import { fillText } from './message-text.js';

/** A one-time link code in a reply (stored transcripts keep `/link/[enlace]` instead; see core/identity/redact.ts). */
const LINK_CODE = /\/link\/[A-Za-z0-9_-]{32,64}(?![A-Za-z0-9_-])/g;

function entryKey(entry) {
  // The live reply and its stored copy (link code redacted) are the same message.
  return entry.direction === 'IN' && entry.messageId
    ? `in:${entry.messageId}`
    : `${entry.direction}:${entry.at}:${entry.text.replace(LINK_CODE, '/link/[enlace]')}`;
}

function timeOf(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleTimeString('es-CL', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/**
 * `list` is the messages' <ol> and `empty` its placeholder. `onChoice({ action, label })` runs when a
 * button is pressed; `onAgent(label)` when the newest reply is a person's, `onAgent(null)` when it starts a new
 * hand-off.
 */
export function createTranscript({ list, empty, onChoice, onAgent }) {
  const seen = new Set(); // keys of rendered entries
  const pending = []; // bubbles of what the user sent, waiting for their echo: { text, action, item }
  const buttonTitles = new Map(); // button id -> title (to show a pressed button as the user's message)
  /** Whether the list shows its end: then it keeps showing it when the banners below it resize it. */
  let pinnedToEnd = true;

  /** Scrolls to the end of the list; called once a message is complete (its text and its buttons). */
  function scrollToNewest() {
    list.scrollTop = list.scrollHeight;
    pinnedToEnd = true;
  }

  list.addEventListener('scroll', () => {
    pinnedToEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 4;
  });
  new ResizeObserver(() => {
    if (pinnedToEnd) scrollToNewest();
  }).observe(list);

  /**
   * Adds a message to the list. Entries arrive in order, except those of a gap re-read after a
   * reconnect: an entry with a server time (`at`) goes before the first one that is later; optimistic
   * bubbles (no `at` yet) go last. Returns the item and whether it is the newest.
   */
  function bubble(direction, text, at, { optimistic = false, links = false } = {}) {
    empty.hidden = true;
    const item = document.createElement('li');
    item.className = `message message--${direction === 'IN' ? 'in' : 'out'}`;
    const body = document.createElement('div');
    body.className = 'message__bubble';
    fillText(body, text, links);
    const time = document.createElement('span');
    time.className = 'message__time';
    time.textContent = timeOf(at);
    item.append(body, time);
    const later = optimistic
      ? undefined
      : [...list.querySelectorAll('.message[data-at]')].find((other) => other.dataset.at > at);
    if (!optimistic) item.dataset.at = at;
    if (later) {
      list.insertBefore(item, later);
      return { item, newest: false };
    }
    list.append(item);
    return { item, newest: true };
  }

  /** Disables the choices of every message but `current` (they answer an older question). */
  function disableOldChoices(current) {
    for (const button of list.querySelectorAll('.message__buttons button')) {
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
      button.addEventListener('click', () => onChoice({ action: choice.id, label: choice.title }));
      group.append(button);
    }
    item.insertBefore(group, item.lastChild);
  }

  /** Shows a transcript entry once (live or re-read); the echo of a pending bubble confirms it. */
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
    // Only the assistant's own plain answers make the link page clickable: a notification, a
    // workflow's result or a person's reply may carry text written by someone else.
    const { item, newest } = bubble('OUT', text, entry.at, { links: !entry.kind });
    if (entry.agent) item.classList.add('message--agent');
    if (entry.agent && newest) onAgent(entry.agent);
    // A new hand-off waits for a person again (also when the history is read back after a reload).
    if (entry.kind === 'handoff' && newest) onAgent(null);
    if (entry.buttons?.length) {
      renderButtons(item, entry.buttons);
      // Choices of an older message (re-read after a reconnect) are no longer current.
      if (!newest) for (const button of item.querySelectorAll('button')) button.disabled = true;
    }
    if (!newest) return;
    disableOldChoices(item);
    scrollToNewest();
  }

  /** Shows what the user sends at once, faded until its echo; returns the function that takes it back. */
  function addPending({ text, action, label }) {
    disableOldChoices();
    const { item } = bubble('IN', label ?? text, new Date().toISOString(), { optimistic: true });
    item.classList.add('message--pending');
    scrollToNewest();
    const mine = { text, action, item };
    pending.push(mine);
    return () => {
      const index = pending.indexOf(mine);
      if (index >= 0) pending.splice(index, 1);
      item.remove();
    };
  }

  /** Empties the list for a new conversation. */
  function clear() {
    seen.clear();
    pending.length = 0;
    for (const item of list.querySelectorAll('.message')) item.remove();
    empty.hidden = false;
  }

  return { render, addPending, clear };
}
