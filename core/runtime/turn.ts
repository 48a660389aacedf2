import { ConflictError, UnavailableError } from '../errors.ts';
import { type BusEvent, publishAll, topics } from '../events/bus.ts';
import { casConflicts, recordTurn } from '../metrics/registry.ts';
import type { StoredConversation } from '../store/types.ts';
import { splitConversationId } from '../types.ts';
import { operatorEventsOf } from './handoff-events.ts';
import type { RuntimeSettings, TurnSettings } from './options.ts';
import { type PreparedTurn, prepareTurn } from './prepared-turn.ts';
import { storedAnswerOf } from './stored-answer.ts';
import { transition } from './transition.ts';
import type { TurnRequest } from './turn-request.ts';
import type { TurnResult } from './types.ts';
import { pendingView } from './view.ts';

/** How soon a turn refused as busy (every commit lost its race) is worth sending again. */
const BUSY_RETRY_AFTER_MS = 1_000;

/**
 * One turn: load the conversation, apply the event, commit (compare-and-set: a conflict starts the
 * turn over), then publish and deliver the replies. With `request.hold`, the commit also stores the
 * answer under the claimed message id.
 */
export async function runTurn(
  settings: TurnSettings,
  requested: TurnRequest | (() => Promise<TurnRequest>),
  knownConversationId?: string,
  readAhead?: Promise<StoredConversation | null | undefined>,
): Promise<TurnResult> {
  const startedAt = performance.now();
  let conversationId = knownConversationId ?? '';
  for (let attempt = 1; attempt <= settings.maxCommitAttempts; attempt++) {
    // A prepared request is made again on each attempt: it may read what the winning commit wrote.
    // With the conversation known, its load goes out with the request's own reads (the sender's link):
    // one round trip to the store instead of two in a row. Neither writes what the other reads. The
    // first attempt may have it read ahead already (read-ahead.ts): undefined when it may be stale.
    const [request, found] = await Promise.all([
      typeof requested === 'function' ? requested() : requested,
      knownConversationId === undefined
        ? undefined
        : loadOf(settings, knownConversationId, attempt === 1 ? readAhead : undefined),
    ]);
    conversationId = request.conversationId;
    // (A request for another conversation than announced is loaded on its own.)
    const stored = await load(settings, request, request.conversationId === knownConversationId ? found : undefined);
    const outcome = await transition(settings, conversationId, stored, request.event);
    const turn = prepareTurn(settings, request, stored, outcome);
    const version = await settings.store.commit(conversationId, stored?.version ?? 0, storedAnswerOf(turn.changes));
    if (version === null) {
      casConflicts.inc();
      settings.logger.debug({ conversationId, attempt }, 'version conflict, retrying turn');
      continue;
    }
    measure(settings, request, stored, turn, startedAt);
    publish(settings, turn, version, settings.model.waitingOf(stored?.snapshot).handoff !== null);
    await deliverReplies(settings, turn);
    // "borrar mis datos" confirmed: the replies are handed over, then the conversation is erased (the
    // confirming message's answer stays: its redelivery is answered the same, not taken as a new message).
    if (turn.forget) settings.forget(conversationId, request.hold ? [request.hold.key] : []);
    return turn.result;
  }
  // Every commit lost its race: the sender retries after a moment (503 with Retry-After).
  throw new UnavailableError('busy', 'conversation is too busy, try again', BUSY_RETRY_AFTER_MS, { conversationId });
}

/** The conversation as read ahead when it was, else as read now. */
async function loadOf(
  settings: TurnSettings,
  conversationId: string,
  readAhead: Promise<StoredConversation | null | undefined> | undefined,
): Promise<StoredConversation | null> {
  const early = readAhead === undefined ? undefined : await readAhead;
  return early === undefined ? settings.store.load(conversationId) : early;
}

/**
 * The stored conversation; only a user's message may start one. One left `erasing` (its erase
 * failed, or its process died after the commit) is erased first: the user was told it was.
 */
async function load(
  settings: TurnSettings,
  request: TurnRequest,
  loaded: StoredConversation | null | undefined,
): Promise<StoredConversation | null> {
  let stored = loaded === undefined ? await settings.store.load(request.conversationId) : loaded;
  if (stored?.meta.erasing) {
    settings.logger.warn(
      { channel: splitConversationId(request.conversationId).channel },
      'erasing a conversation left to be erased',
    );
    await settings.eraseNow(request.conversationId, Date.parse(stored.meta.updatedAt));
    stored = null;
  }
  if (!stored && !request.participant) {
    throw new ConflictError('unknown conversation', { conversationId: request.conversationId });
  }
  return stored;
}

/** The committed turn's metrics: its latency, and the workflow run it started or finished. */
function measure(
  { model }: RuntimeSettings,
  request: TurnRequest,
  stored: StoredConversation | null,
  turn: PreparedTurn,
  startedAt: number,
): void {
  recordTurn({
    channel: turn.changes.meta.channel,
    event: request.event,
    intent: model.intentLabel(request.event),
    state: turn.result.state,
    pendingBefore: model.waitingOf(stored?.snapshot).pending,
    pending: turn.pending,
    startedAt,
  });
}

/**
 * The transcript lines and the new state, for subscribers (GraphQL, web chat) in every process, then
 * what operators follow (hand-offs, timeline): one publish of them all, in that order.
 */
function publish({ bus, logger }: RuntimeSettings, turn: PreparedTurn, version: number, handedOff: boolean): void {
  const { conversationId, state, status } = turn.result;
  const events: BusEvent[] = [];
  // As said (the live link included): only the stored transcript has link codes redacted.
  for (const entry of turn.live) events.push([topics.messages(conversationId), entry]);
  events.push([
    topics.state(conversationId),
    {
      conversationId,
      state,
      status,
      version,
      ...(turn.pending ? { pendingWorkflow: pendingView(turn.pending) } : {}),
    },
  ]);
  publishAll(bus, operatorEventsOf(logger, turn, handedOff, events));
}

/** Hands the replies to their channel, in order (the dispatcher retries; it never throws). */
async function deliverReplies({ deliver }: RuntimeSettings, turn: PreparedTurn): Promise<void> {
  for (const message of turn.outbound) await deliver(message);
}
