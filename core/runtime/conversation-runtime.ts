import type { StoredConversation } from '../store/types.ts';
import { type InboundMessage, splitConversationId } from '../types.ts';
import type { WorkflowCallback } from '../workflows/types.ts';
import { checkDeadlines, type DeadlineParts } from './deadlines.ts';
import { createEquipmentCatalog } from './equipment-catalog.ts';
import { publishErasedHandoff } from './handoff-events.ts';
import { publicIdentity } from './identity.ts';
import { createInFlight } from './in-flight.ts';
import { InvocationLog, provideServices } from './invocations.ts';
import { type MessageHold, messageKey, processOnce } from './message-once.ts';
import type { ConversationEvent } from './model.ts';
import { sendNotice } from './notice.ts';
import { notifyOrderChangeTurn } from './notify-turn.ts';
import {
  type ConversationRuntimeImpl,
  type RuntimeOptions,
  type RuntimeSettings,
  type TurnSettings,
  withDefaults,
} from './options.ts';
import { createReadAheads } from './read-ahead.ts';
import { createSerialQueue } from './serial-queue.ts';
import { runTurn } from './turn.ts';
import type { TurnRequest } from './turn-request.ts';
import type { DeliveryStatus, ReceiveOptions, TurnResult } from './types.ts';
import { inboundEntry, participantOf, understandMessage, understandOnce, userMessageEvent } from './user-message.ts';
import { viewOf } from './view.ts';
import { conversationServices, workflowResultEvent } from './workflow-runs.ts';

export type { ConversationRuntimeImpl, RuntimeOptions } from './options.ts';

/**
 * The single entry point through which anything changes a conversation. A message's way: claim its
 * id once (`processOnce`), admit it, queue its turn behind the conversation's others, and run the
 * turn (`runTurn`: load → transition → commit → publish → deliver); the commit stores the answer
 * under the claimed id, a failure releases it.
 */
export function createConversationRuntime(options: RuntimeOptions): ConversationRuntimeImpl {
  const settings = withDefaults(options);
  const { store, logger, now, identity } = settings;
  const inFlight = createInFlight(now);
  const queue = createSerialQueue();
  const readAheads = createReadAheads();
  /** In the conversation's queue; what was read ahead for it before is stale from now on. */
  const serial = <T>(conversationId: string, task: () => Promise<T>) =>
    readAheads.around(conversationId, () => queue.run(conversationId, task));
  const invocations = new InvocationLog(settings.actorTimeoutMs);
  const catalog = equipmentCatalogOf(settings);
  const readCatalog = () => catalog.read();
  const services = invocations.recording(conversationServices(settings));
  const turnSettings: TurnSettings = {
    ...settings,
    machine: provideServices(settings.model.machine, services),
    invocations,
    // Queued behind the turn that asked for it (this very turn runs in the queue: never awaited there).
    forget: (conversationId, keep) => {
      void inFlight.track(
        erase(conversationId, keep).catch((error: unknown) =>
          logger.error(
            { channel: splitConversationId(conversationId).channel, err: error },
            'erasing a conversation failed',
          ),
        ),
      );
    },
    eraseNow: (conversationId, linkedBefore) => eraseNow(conversationId, [], linkedBefore),
  };
  const once = processOnce({
    store,
    logger,
    claimLeaseMs: settings.claimLeaseMs,
    duplicateWaitMs: settings.duplicateWaitMs,
    track: (work) => void inFlight.track(work),
  });

  /**
   * Turns of one conversation run one at a time in this process; shutdown waits for them. The
   * request is made when the turn comes, and again on each commit attempt: a user message reads who
   * sent it (the link) inside its turn, and a retried commit reads it again.
   */
  const turn = (
    conversationId: string,
    request: () => TurnRequest | Promise<TurnRequest>,
    stored?: Promise<StoredConversation | null | undefined>,
  ) =>
    inFlight.track(serial(conversationId, () => runTurn(turnSettings, async () => request(), conversationId, stored)));

  async function receive(message: InboundMessage, opts: ReceiveOptions = {}): Promise<TurnResult> {
    const { conversationId } = message;
    // Read while the id is claimed (one round trip for the three); wasted on a duplicate only.
    const ahead = readAheads.start(conversationId, () =>
      Promise.all([store.load(conversationId), identity.lookup(conversationId)]),
    );
    const process = async (hold: MessageHold | null, atOnce = true) => {
      // Read before a wait for another holder (another process may have taken turns meanwhile): read again.
      if (!atOnce) ahead.drop();
      // Only new work is admitted (rate limits): a retried delivery is answered from the store for free.
      await opts.admit?.();
      const { prepare } = opts;
      const understand = understandOnce(settings.model, readCatalog, logger);
      // Taken before the turn is queued (queuing makes it stale); later attempts read afresh.
      const early = ahead.take();
      let attempts = 0;
      const request = async (): Promise<TurnRequest> => {
        const found = attempts++ === 0 ? await early : undefined;
        const ready = prepare ? await prepare(message) : message;
        const policy = identity.policyFor?.(conversationId) ?? identity.policy;
        const sender = { identity: found ? found[1] : await identity.lookup(conversationId), policy };
        return {
          conversationId,
          event: userMessageEvent(ready, now(), sender, await understand(ready)),
          participant: participantOf(ready),
          inbound: inboundEntry(ready),
          hold,
        };
      };
      return turn(
        conversationId,
        request,
        early.then((found) => found?.[0]),
      );
    };
    try {
      if (message.oneShot) return await process(null);
      // Scoped by conversation: a client-chosen id (web `message_id`) can never reach another user's answer.
      return await once(messageKey('in', conversationId, message.id), conversationId, process);
    } finally {
      ahead.drop();
    }
  }

  function deliverWorkflowResult(callback: WorkflowCallback): Promise<TurnResult> {
    const conversationId = callback.conversation_id;
    // A refused run (stale, unknown conversation) releases its claim like any failure: a replay is
    // refused again at once (409), and a result that arrived before its run was saved can still apply.
    return once(messageKey('workflow', conversationId, callback.run_id), conversationId, async (hold) =>
      turn(conversationId, async () => {
        if (callback.status === 'failed' && callback.error?.code === 'identity_expired') await expireLink(callback);
        return { conversationId, event: workflowResultEvent(callback, now()), participant: null, inbound: null, hold };
      }),
    );
  }

  /**
   * The run acted as the user and the CMMS refused their token: the link is marked expired before the
   * machine hears of it (it asks the user to link again), but only for the conversation's pending run
   * (a stale or unknown run's callback is refused with 409 by the turn and changes nothing).
   */
  async function expireLink(callback: WorkflowCallback): Promise<void> {
    const conversationId = callback.conversation_id;
    const { pending } = settings.model.waitingOf((await store.load(conversationId))?.snapshot);
    const runId = callback.run_id;
    if (pending?.runId !== runId || pending.dagId !== callback.dag_id) {
      logger.info({ conversationId, runId }, 'identity_expired from a run that is not pending: the link is left as is');
      return;
    }
    // Only the link the run acted with: one made after the run started (linked again meanwhile) stays.
    await identity.markExpired(conversationId, pending.startedAt);
    logger.info({ conversationId, runId }, 'workflow refused the user’s token: link marked expired');
  }

  /**
   * Erases the conversation after the turns queued before (personal data): the store's keys (but the
   * answers under `keep`), the link, and what the delivery side keeps.
   */
  function erase(conversationId: string, keep: readonly string[] = []): Promise<void> {
    return inFlight.track(serial(conversationId, () => eraseNow(conversationId, keep)));
  }

  /**
   * The erase itself, in the conversation's queue; with `linkedBefore`, a link made after it stays.
   * Logged by channel only: the id is a phone number or the like.
   */
  async function eraseNow(conversationId: string, keep: readonly string[], linkedBefore?: number): Promise<void> {
    const stored = await store.load(conversationId);
    const handedOff = stored !== null && settings.model.waitingOf(stored.snapshot).handoff !== null;
    await store.erase(conversationId, keep);
    // Operators waiting on it see it leave (a turn would have said so; an erase is no turn).
    if (handedOff) publishErasedHandoff(settings, conversationId);
    const linked = linkedBefore === undefined ? null : await identity.lookup(conversationId);
    const linkedSince = linked !== null && linkedBefore !== undefined && Date.parse(linked.linkedAt) > linkedBefore;
    if (!linkedSince) await identity.unlink(conversationId);
    await settings.eraseDeliveries?.(conversationId);
    logger.info({ channel: splitConversationId(conversationId).channel }, 'conversation erased');
  }

  const deadlines: DeadlineParts = { settings, turn, deliverWorkflowResult };

  /** An event on an existing conversation (409 for an unknown one); its replies go to the user's channel. */
  const systemTurn = (conversationId: string, event: ConversationEvent) =>
    turn(conversationId, () => ({ conversationId, event, participant: null, inbound: null }));

  /** A person's event in a handed-off conversation. */
  async function agentTurn(conversationId: string, event: ConversationEvent, text: string) {
    const result = await systemTurn(conversationId, event);
    logger.info({ conversationId, event: event.type, length: text.length }, 'agent event');
    return result;
  }

  return {
    receive,
    deliverWorkflowResult,
    checkDeadlines: (conversationId) => checkDeadlines(deadlines, conversationId),
    notify: (conversationId, text) =>
      inFlight.track(serial(conversationId, () => sendNotice(settings, conversationId, text))),
    // The machine signs the reply with the agent's label (checked there: a bad name signs as "Operador").
    agentReply: (conversationId, text, agent) =>
      agentTurn(conversationId, { type: 'agent.message', text, ...(agent ? { agent } : {}), at: now() }, text),
    notifyOrderChange: notifyOrderChangeTurn({ store, once, turn, now, identity }),
    releaseHandoff: (conversationId) => agentTurn(conversationId, { type: 'agent.release', at: now() }, ''),
    identityLinked: (conversationId, linked) =>
      systemTurn(conversationId, { type: 'identity.linked', identity: publicIdentity(linked), at: now() }),
    identityUnlinked: (conversationId) => systemTurn(conversationId, { type: 'identity.unlinked', at: now() }),
    erase,
    async recordDeliveryStatus(conversationId: string, status: DeliveryStatus) {
      await store.appendEvent(conversationId, {
        at: new Date(now()).toISOString(),
        event: { type: 'delivery.status', ...status },
        stateBefore: null,
        stateAfter: '',
        version: 0,
      });
    },
    async getConversation(conversationId) {
      const stored = await store.load(conversationId);
      return stored ? viewOf(settings.model, conversationId, stored) : null;
    },
    transcript: (conversationId, limit) => store.readTranscript(conversationId, limit),
    track(work) {
      void inFlight.track(work.catch((error: unknown) => logger.error({ err: error }, 'background work failed')));
    },
    drain: (timeoutMs) => inFlight.drain(timeoutMs),
    warm() {
      catalog.warm();
      // A first reading now: a model that trains on first use (the intent classifier) trains at start-up.
      void understandMessage(settings.model, async () => null, WARM_UP_MESSAGE, logger);
    },
  };
}

/** Read once at start-up, to warm the model (no catalog: it asks nothing of the CMMS). */
const WARM_UP_MESSAGE: InboundMessage = {
  id: 'warm-up',
  channel: 'warm-up',
  conversationId: 'warm-up:0',
  user: { id: '0' },
  text: 'la máquina no arranca',
  receivedAt: new Date(0).toISOString(),
};

/** The CMMS equipment list the model understands messages with (none without `cmms.listEquipment`). */
function equipmentCatalogOf(settings: RuntimeSettings) {
  const { cmms, logger, catalogDeadlineMs, now } = settings;
  if (!cmms.listEquipment) return { read: async () => null, warm: () => {} };
  const list = cmms.listEquipment.bind(cmms);
  return createEquipmentCatalog({ list, logger, deadlineMs: catalogDeadlineMs, now });
}
