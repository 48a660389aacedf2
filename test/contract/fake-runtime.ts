import { createSerialQueue } from '../../core/runtime/serial-queue.ts';
import type { ConversationRuntime, DeliveryStatus, TurnResult } from '../../core/runtime/types.ts';
import type { InboundMessage, OutboundMessage } from '../../core/types.ts';

/** Echo replies: every turn answers with what it understood and two buttons. */
export function echoReply(message: InboundMessage): OutboundMessage {
  const understood = message.action ? `botón ${message.action}` : (message.text ?? '(sin texto)');
  return {
    conversationId: message.conversationId,
    text: `Recibido: ${understood}`,
    buttons: [
      { id: 'confirm:yes', title: 'Confirmar' },
      { id: 'confirm:no', title: 'Cancelar' },
    ],
  };
}

export interface FakeRuntime extends ConversationRuntime {
  readonly received: InboundMessage[];
  readonly statuses: { conversationId: string; status: DeliveryStatus }[];
  /** Waits for everything handed to `track`. */
  settle(): Promise<void>;
}

/**
 * A stand-in for the conversation runtime in plugin tests: dedups on `conversationId:id` like the real one,
 * records what it receives and answers through `deliver` (the dispatcher, in the contract suite).
 */
export function createFakeRuntime(
  opts: {
    deliver?: (message: OutboundMessage) => Promise<void>;
    reply?: (message: InboundMessage) => OutboundMessage | null;
    fail?: (message: InboundMessage) => boolean;
    /** While true, reads fail as a store outage would (the webhooks' readiness probe). */
    unavailable?: () => boolean;
    /** The turn's own work (e.g. writing a transcript), after `prepare`, one turn at a time per conversation. */
    turn?: (message: InboundMessage) => Promise<void>;
  } = {},
): FakeRuntime {
  const seen = new Set<string>();
  // Like the real runtime: one turn at a time per conversation, `prepare` inside it.
  const queue = createSerialQueue();
  const tracked = new Set<Promise<unknown>>();
  const received: InboundMessage[] = [];
  const statuses: FakeRuntime['statuses'] = [];
  const reply = opts.reply ?? echoReply;
  const result = (conversationId: string, replies: OutboundMessage[], duplicate: boolean): TurnResult => ({
    conversationId,
    replies,
    state: 'idle',
    status: 'idle',
    duplicate,
  });
  return {
    received,
    statuses,
    notifyOrderChange: async () => null,
    async receive(message, options) {
      if (opts.fail?.(message)) throw new Error('store unavailable');
      const key = `${message.conversationId}:${message.id}`;
      if (seen.has(key)) return result(message.conversationId, [], true);
      seen.add(key);
      return queue.run(message.conversationId, async () => {
        let ready: InboundMessage;
        try {
          ready = options?.prepare ? await options.prepare(message) : message;
        } catch (error) {
          seen.delete(key); // a failed turn releases its claim: a retry processes the message
          throw error;
        }
        received.push(ready);
        await opts.turn?.(ready);
        const out = reply(ready);
        if (out && opts.deliver) await opts.deliver(out);
        return result(message.conversationId, out ? [out] : [], false);
      });
    },
    async deliverWorkflowResult() {
      throw new Error('not used by channel tests');
    },
    async agentReply() {
      throw new Error('not used by channel tests');
    },
    async releaseHandoff() {
      throw new Error('not used by channel tests');
    },
    async identityLinked() {
      throw new Error('not used by channel tests');
    },
    async identityUnlinked() {
      throw new Error('not used by channel tests');
    },
    async erase() {
      throw new Error('not used by channel tests');
    },
    async recordDeliveryStatus(conversationId, status) {
      statuses.push({ conversationId, status });
    },
    async getConversation() {
      if (opts.unavailable?.()) throw new Error('store unavailable');
      return null;
    },
    async transcript() {
      return [];
    },
    track(work) {
      const promise = work.finally(() => tracked.delete(promise));
      tracked.add(promise);
    },
    async drain() {
      await this.settle();
    },
    async settle() {
      while (tracked.size > 0) await Promise.allSettled([...tracked]);
    },
  };
}
