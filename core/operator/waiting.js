// How long each user has waited for a person, who answers them, and the waiting list's order.
//
// When the hand-off started: the `at` of the `handoffs` STARTED event when the console saw it happen.
// For a conversation read from the list, it is taken from its recent messages: the user's message just
// before the assistant's last hand-off notice ("Un supervisor revisará…", the reply that starts every
// hand-off), else the notice's own time. Without a notice among the messages read, the oldest of them
// is used and the wait is shown as "más de" (it started earlier).

/** The assistant's reply that starts a hand-off (machines/replies.ts `handoff`). */
const HANDOFF_NOTICE = /^Un supervisor revisará esta conversación/;

const isHandoffNotice = (message) =>
  message.direction === 'OUT' && !message.agent && (message.kind === 'handoff' || HANDOFF_NOTICE.test(message.text));

/**
 * What the recent `messages` (oldest first) of a conversation waiting for a person tell: `startedAt`
 * (ISO), `approximate` (the start is earlier than `startedAt`), `agent` (the label of the person who
 * answered last in this hand-off, null when nobody has) and `lastUserAt` (the user's newest message).
 */
export function handoffFromTranscript(messages, fallbackAt) {
  const notice = messages.findLastIndex(isHandoffNotice);
  const asked = notice > 0 && messages[notice - 1].direction === 'IN' ? messages[notice - 1] : messages[notice];
  const sinceStart = notice === -1 ? messages : messages.slice(notice);
  return {
    startedAt: asked?.at ?? messages[0]?.at ?? fallbackAt,
    approximate: notice === -1,
    agent: sinceStart.findLast((message) => message.agent)?.agent ?? null,
    lastUserAt: messages.findLast((message) => message.direction === 'IN')?.at ?? null,
  };
}

/** "menos de 1 min", "12 min", "1 h 5 min", "2 h", "1 d 3 h". */
export function durationText(ms) {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'menos de 1 min';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "Espera hace 12 min" (nobody answered yet) or "Derivada hace 1 h 5 min" (someone did). */
export function waitText(item, now = Date.now()) {
  const since = `hace ${item.approximate ? 'más de ' : ''}${durationText(now - Date.parse(item.startedAt))}`;
  return item.agent ? `Derivada ${since}` : `Espera ${since}`;
}

/** Unanswered conversations first, then answered ones; in each, the longest waiting first. */
export function compareWaiting(a, b) {
  return Number(Boolean(a.agent)) - Number(Boolean(b.agent)) || Date.parse(a.startedAt) - Date.parse(b.startedAt);
}
