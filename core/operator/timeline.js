// Any conversation's timeline: its event log read back (`timeline` query), then live (`timeline`
// subscription): time, channel, event, state before → after, the actors it invoked and their answers.
import { $, channelName, el, errorText, plural, say, timeOf } from './dom.js';

const FIELDS =
  'conversationId at channel version event detail understood stateBefore stateAfter actors { name input output error }';
// `conversation` tells an unknown (or mistyped) id from a conversation with no event logged yet.
const READ = `query Timeline($id: ID!) {
  conversation(id: $id) { id }
  timeline(conversationId: $id, last: 200) { ${FIELDS} }
}`;
const LIVE = `subscription Timeline($id: ID!) { timeline(conversationId: $id) { ${FIELDS} } }`;

const EVENT_NAMES = {
  'user.message': 'Mensaje del usuario',
  'workflow.result': 'Resultado del workflow',
  'workflow.timeout': 'Workflow sin respuesta',
  'agent.message': 'Respuesta de una persona',
  'agent.release': 'Liberada por una persona',
  'handoff.expire': 'Derivación vencida',
  'identity.linked': 'Cuenta vinculada',
  'identity.unlinked': 'Cuenta desvinculada',
  'order.changed': 'Cambio en una OT',
};

export function createTimelineView({ client, call, signal }) {
  /** The conversation shown: { id, keys, stop } */
  let shown = null;

  function cell(label, ...children) {
    const td = el('td', null, el('div', null, ...children));
    td.dataset.label = label;
    return td;
  }

  function actor({ name, input, output, error }) {
    const answer = error ? el('span', 'actor__error', `error: ${error}`) : el('span', 'actor__output', output ?? '—');
    return el(
      'li',
      'actor',
      el('strong', 'actor__name', name),
      input ? el('code', 'actor__input', input) : null,
      el('span', 'actor__arrow', ' → '),
      answer,
    );
  }

  function row(entry) {
    const changed = entry.stateBefore !== entry.stateAfter;
    const state = el(
      'span',
      changed ? 'state state--changed' : 'state',
      el('span', 'state__before', entry.stateBefore ?? '—'),
      ' → ',
      el('span', 'state__after', entry.stateAfter ?? '—'),
    );
    const actors = entry.actors.length ? el('ul', 'actors', ...entry.actors.map(actor)) : el('span', 'muted', '—');
    const tr = el(
      'tr',
      null,
      cell('Hora', el('time', null, timeOf(entry.at, { seconds: true }))),
      cell('Canal', channelName(entry.channel)),
      cell(
        'Evento',
        el('span', 'event__name', EVENT_NAMES[entry.event] ?? entry.event),
        el('code', 'event__type', entry.event),
        entry.detail ? el('span', 'event__detail', entry.detail) : null,
        entry.understood ? el('span', 'event__understood', `Entendido: ${entry.understood}`) : null,
      ),
      cell('Estado', state),
      cell('Actores', actors),
    );
    tr.dataset.version = String(entry.version);
    tr.dataset.event = entry.event;
    return tr;
  }

  function add(entry) {
    if (!shown || entry.conversationId !== shown.id) return;
    const key = `${entry.version}:${entry.event}:${entry.at}`;
    if (shown.keys.has(key)) return;
    shown.keys.add(key);
    const rows = $('timeline-rows');
    // Only the table scrolls: the form and the status line above it stay in place.
    const scroller = $('timeline-scroll');
    const atEnd = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 8;
    const later = [...rows.children].find((other) => Number(other.dataset.version) > entry.version);
    rows.insertBefore(row(entry), later ?? null);
    // A reader at the end keeps following the newest events.
    if (atEnd && !later && rows.children.length > 1) scroller.scrollTop = scroller.scrollHeight;
    $('timeline-table').hidden = false;
    $('timeline-status').textContent = `${plural(rows.children.length, 'evento', 'eventos')} · en vivo`;
  }

  async function reload() {
    const current = shown;
    if (!current) return;
    try {
      const { conversation, timeline } = await call(READ, { id: current.id });
      if (shown !== current) return;
      for (const entry of timeline) add(entry);
      if (!$('timeline-rows').children.length) {
        $('timeline-status').textContent = conversation
          ? 'Esta conversación no tiene eventos registrados (todavía). Los nuevos aparecerán aquí.'
          : 'No encontré esa conversación. Revisa el id (por ejemplo, telegram:12345).';
      }
      say($('timeline-error'), '');
    } catch (error) {
      if (shown === current) say($('timeline-error'), errorText(error));
    }
  }

  /** Shows the timeline view (`visible`), for conversation `id` (null: only the form). */
  function show(visible, id) {
    $('timeline').hidden = !visible;
    const wanted = visible ? id : null;
    if ((shown?.id ?? null) === wanted) return;
    shown?.stop();
    shown = null;
    $('timeline-rows').replaceChildren();
    $('timeline-scroll').scrollTop = 0;
    $('timeline-table').hidden = true;
    $('timeline-status').textContent = '';
    say($('timeline-error'), '');
    $('timeline-id').value = id ?? '';
    if (!wanted) return;
    const current = { id, keys: new Set() };
    shown = current;
    current.stop = client.subscribe(
      LIVE,
      { id },
      { next: ({ data }) => shown === current && data && add(data.timeline) },
    );
    $('timeline-status').textContent = 'Cargando…';
    reload();
  }

  $('timeline-form').addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      const id = $('timeline-id').value.trim();
      if (id) location.hash = `#/timeline/${encodeURIComponent(id)}`;
    },
    { signal },
  );

  return { show, reload };
}
