import type { InboundMessage } from '../types.ts';
import type { WorkflowCallback } from '../workflows/types.ts';
import { checkDeadlines, type DeadlineParts } from './deadlines.ts';
import { createInFlight } from './in-flight.ts';
import { InvocationLog, provideServices } from './invocations.ts';
import { type MessageHold, messageKey, processOnce } from './message-once.ts';
import type { ConversationEvent } from './model.ts';
import { type ConversationRuntimeImpl, type RuntimeOptions, type TurnSettings, withDefaults } from './options.ts';
import { createSerialQueue } from './serial-queue.ts';
import { runTurn } from './turn.ts';
import type { TurnRequest } from './turn-request.ts';
import type { DeliveryStatus, ReceiveOptions, TurnResult } from './types.ts';
import { inboundEntry, participantOf, userMessageEvent } from './user-message.ts';
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
  const { store, logger, now } = settings;
  const inFlight = createInFlight(now);
  const queue = createSerialQueue();
  const invocations = new InvocationLog(settings.actorTimeoutMs);
  const services = invocations.recording(conversationServices(settings));
  const turnSettings: TurnSettings = {
    ...settings,
    machine: provideServices(settings.model.machine, services),
    invocations,
  };
  const once = processOnce({
    store,
    logger,
    claimLeaseMs: settings.claimLeaseMs,
    duplicateWaitMs: settings.duplicateWaitMs,
    track: (work) => void inFlight.track(work),
  });

  /** Turns of one conversation run one at a time in this process; shutdown waits for them. */
  const turn = (conversationId: string, request: () => TurnRequest) =>
    inFlight.track(queue.run(conversationId, () => runTurn(turnSettings, request())));
  /** A turn whose request the channel prepares inside it, again on each commit attempt. */
  const preparedTurn = (conversationId: string, request: () => Promise<TurnRequest>) =>
    inFlight.track(queue.run(conversationId, () => runTurn(turnSettings, request)));

  function receive(message: InboundMessage, opts: ReceiveOptions = {}): Promise<TurnResult> {
    const { conversationId } = message;
    const process = async (hold: MessageHold | null) => {
      // Only new work is admitted (rate limits): a retried delivery is answered from the store for free.
      await opts.admit?.();
      const { prepare } = opts;
      const request = (ready: InboundMessage): TurnRequest => ({
        conversationId,
        event: userMessageEvent(ready, now()),
        participant: participantOf(ready),
        inbound: inboundEntry(ready),
        hold,
      });
      if (!prepare) {
        const fixed = request(message);
        return turn(conversationId, () => fixed);
      }
      return preparedTurn(conversationId, async () => request(await prepare(message)));
    };
    if (message.oneShot) return process(null);
    // Scoped by conversation: a client-chosen id (web `message_id`) can never reach another user's answer.
    return once(messageKey('in', conversationId, message.id), conversationId, process);
  }

  function deliverWorkflowResult(callback: WorkflowCallback): Promise<TurnResult> {
    const conversationId = callback.conversation_id;
    // A refused run (stale, unknown conversation) releases its claim like any failure: a replay is
    // refused again at once (409), and a result that arrived before its run was saved can still apply.
    return once(messageKey('workflow', conversationId, callback.run_id), conversationId, (hold) =>
      turn(conversationId, () => ({
        conversationId,
        event: workflowResultEvent(callback, now()),
        participant: null,
        inbound: null,
        hold,
      })),
    );
  }

  const deadlines: DeadlineParts = { settings, turn, deliverWorkflowResult };

  /** A person's event in a handed-off conversation. */
  async function agentTurn(conversationId: string, event: ConversationEvent, text: string) {
    const result = await turn(conversationId, () => ({ conversationId, event, participant: null, inbound: null }));
    logger.info({ conversationId, event: event.type, length: text.length }, 'agent event');
    return result;
  }

  return {
    receive,
    deliverWorkflowResult,
    checkDeadlines: (conversationId) => checkDeadlines(deadlines, conversationId),
    agentReply: (conversationId, text) => agentTurn(conversationId, { type: 'agent.message', text, at: now() }, text),
    releaseHandoff: (conversationId) => agentTurn(conversationId, { type: 'agent.release', at: now() }, ''),
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
  };
}
