import type { Logger } from '../log.ts';
import type { OutboundMessage } from '../types.ts';
import type { Item, ItemStart } from './delivery-item.ts';
import { chatKeyOf } from './rate-limit.ts';

/** One conversation's queue: sent strictly in order, one at a time. */
export class Lane {
  readonly conversationId: string;
  items: Item[] = [];
  running = false;
  #waiting = false;

  constructor(conversationId: string) {
    this.conversationId = conversationId;
  }

  /** The head waits (a retry, pacing): later messages are queued, their `dispatch` resolves at once. */
  get waiting(): boolean {
    return this.#waiting;
  }

  /** Queues a message; behind a waiting head its `dispatch` resolves now. */
  push(item: Item): void {
    this.items.push(item);
    if (this.#waiting) item.settle();
  }

  /** The head is done with (delivered, dead-lettered, superseded): its `dispatch` resolves. */
  finishHead(): void {
    this.items.shift()?.settle();
  }

  /** The head waits (a retry, pacing): every queued message's `dispatch` resolves now. */
  hold(): void {
    this.#waiting = true;
    for (const item of this.items) item.settle();
  }

  /** The head's wait is over: messages queued from now on wait for their delivery again. */
  release(): void {
    this.#waiting = false;
  }
}

/**
 * What a lane does with its head: it either ends it (`lane.finishHead()`) or waits (a retry), and is
 * called again while the lane holds items.
 */
export type HeadStep = (lane: Lane, head: Item) => Promise<void>;

/** Every conversation's lane: conversations run in parallel, each one in order. */
export class ConversationLanes {
  readonly #lanes = new Map<string, Lane>();
  readonly #step: HeadStep;
  readonly #logger: Logger;
  #idleWaiters: (() => void)[] = [];

  constructor(step: HeadStep, logger: Logger) {
    this.#step = step;
    this.#logger = logger;
  }

  /** Conversations with messages queued or in flight. */
  get size(): number {
    return this.#lanes.size;
  }

  /**
   * Queues a message in its conversation's lane. Resolves once it is delivered, dead-lettered, or
   * waiting (a retry, pacing), or queued behind a message that waits.
   */
  enqueue(message: OutboundMessage, start: ItemStart): Promise<void> {
    return new Promise<void>((resolve) => {
      let settled = false;
      const item: Item = {
        ...start,
        message,
        attempts: 0,
        settle: () => {
          if (!settled) resolve();
          settled = true;
        },
      };
      const lane = this.#laneOf(message.conversationId);
      lane.push(item);
      if (!lane.running) void this.#run(lane);
    });
  }

  /**
   * True while a lane of the conversation's chat (a group's members share it) holds a message: queued,
   * in flight (its later parts, a refused edit's new message need more of the budget), or held back
   * (a rate limit's retry-after, a failure's backoff, a pacing wait).
   */
  chatBusy(conversationId: string): boolean {
    const chatKey = chatKeyOf(conversationId);
    for (const lane of this.#lanes.values()) {
      if (lane.items.length > 0 && chatKeyOf(lane.conversationId) === chatKey) return true;
    }
    return false;
  }

  /** Resolves when no message is queued or in flight. */
  idle(): Promise<void> {
    if (this.#lanes.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #laneOf(conversationId: string): Lane {
    let lane = this.#lanes.get(conversationId);
    if (!lane) {
      lane = new Lane(conversationId);
      this.#lanes.set(conversationId, lane);
    }
    return lane;
  }

  async #run(lane: Lane): Promise<void> {
    lane.running = true;
    try {
      while (lane.items.length > 0) await this.#step(lane, lane.items[0]!);
    } catch (error) {
      this.#logger.error({ conversationId: lane.conversationId, err: error }, 'delivery lane failed');
      for (const item of lane.items) item.settle();
      lane.items = [];
    } finally {
      lane.running = false;
      this.#lanes.delete(lane.conversationId);
      if (this.#lanes.size === 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }
  }
}
