import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type WebSocket from 'ws';
import type { Logger } from '../log.ts';
import type { DirectDeliverySlot, GraphqlContext } from './context.ts';
import { graphqlError, isGraphQLError } from './errors.ts';
import { PushSource } from './push-source.ts';
import type { DirectDelivery, TopicStream } from './topic-stream.ts';

/**
 * Fan-out of WebSocket subscriptions: subscribers whose operations are identical (same document,
 * operation name, variables and principal) share one execution of each event, one serialization of
 * its result, and one loop that writes it to every socket.
 *
 * Each subscriber still subscribes on its own, through yoga (limits, access checks, error masking)
 * and its own bus stream (its place in the order of events, its flow control). Only the delivery
 * changes: its stream hands each event to the group instead of being iterated per subscriber. The
 * group runs the operation once more, through yoga, with its first subscriber's context, over the
 * events its subscribers hand it; each result goes, as a graphql-ws `next` message, to exactly the
 * subscribers whose streams received that event, in their order. The writes are spread over event-loop
 * turns (`chunkSize` sockets per turn), so one fan-out never holds the process for long.
 */

/** One WebSocket subscribe operation, as ws.ts prepared it. */
export interface FanOutOperation {
  /** The client's operation id (graphql-ws). */
  id: string;
  socket: WebSocket;
  /** Equal only for operations whose events execute to the same result (see `shareKeyOf`); empty: never shared. */
  shareKey: string;
  /** Where the resolver leaves its bus stream when it can be delivered directly. */
  slot: DirectDeliverySlot;
  /** yoga's subscribe for this operation. */
  subscribe(args: ExecutionArgs): unknown;
}

export interface WsFanOut {
  /**
   * The subscription graphql-ws should iterate for this operation: `result` unchanged when its events
   * cannot be delivered directly, else a membership of the operation's group (it yields nothing and
   * ends when the subscription does).
   */
  attach(operation: FanOutOperation, args: ExecutionArgs, result: unknown): unknown;
  /** Groups running (for tests and metrics). */
  groups(): number;
}

/** Sockets written per event-loop turn. */
const DEFAULT_CHUNK_SIZE = 500;

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] === 'function';

/** The key under which operations share an execution: everything their results depend on. */
export function shareKeyOf(
  payload: { query: string; operationName?: string | null; variables?: unknown; extensions?: unknown },
  principal: GraphqlContext['principal'] | undefined,
): string {
  if (!principal) return ''; // never shared
  const scope = principal.kind === 'conversation' ? `conversation:${principal.conversationId}` : principal.kind;
  return JSON.stringify([
    payload.query,
    payload.operationName ?? null,
    payload.variables ?? null,
    payload.extensions ?? null,
    scope,
  ]);
}

/** Ends an iterator without waiting for it; its failure to end is of no interest to anyone. */
function endQuietly(iterator: Partial<AsyncIterator<unknown>> | null) {
  try {
    Promise.resolve(iterator?.return?.()).catch(() => undefined);
  } catch {
    // ended enough
  }
}

/** A result as graphql-ws puts it in a `next` message (errors last, as their JSON form), serialized. */
function nextPayloadJson(result: ExecutionResult): string {
  const { errors, ...rest } = result;
  if (!errors) return JSON.stringify(rest);
  return JSON.stringify({ ...rest, errors: errors.map((error) => (isGraphQLError(error) ? error.toJSON() : error)) });
}

/** One event of a group: the bus payload it came from and the subscribers it goes to. */
interface Delivery {
  payload: unknown;
  members: Member[];
}

class Member implements DirectDelivery<unknown> {
  pending = 0;
  closed = false;
  lastDelivery: Delivery | null = null;
  readonly #idJson: string;
  readonly #done: Promise<IteratorResult<unknown>>;
  #settle!: (error?: unknown) => void;
  readonly iterator: AsyncIterableIterator<unknown>;
  readonly group: Group;
  readonly socket: WebSocket;
  /** The operation's own subscription (yoga's) and its bus stream: ended with the membership. */
  readonly own: { result: AsyncIterable<unknown>; stream: TopicStream<unknown> };

  constructor(group: Group, socket: WebSocket, id: string, own: Member['own']) {
    this.group = group;
    this.socket = socket;
    this.own = own;
    this.#idJson = JSON.stringify(id);
    this.#done = new Promise((resolve, reject) => {
      this.#settle = (error) => (error === undefined ? resolve({ value: undefined, done: true }) : reject(error));
    });
    this.#done.catch(() => undefined); // graphql-ws awaits it; nothing else must see the rejection
    this.iterator = {
      next: () => this.#done,
      return: async () => {
        this.leave();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  deliver(event: unknown, payload: unknown) {
    this.group.offer(this, event, payload);
  }

  backlog() {
    return this.pending;
  }

  /** Its stream ended (client gone, too slow, bus reconnected): so does the membership. */
  onEnd() {
    this.leave();
  }

  write(payloadJson: string) {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(`{"id":${this.#idJson},"type":"next","payload":${payloadJson}}`);
  }

  /** Ends the membership (graphql-ws then sends `complete`, or `error` when given one). */
  leave(error?: unknown) {
    if (this.closed) return;
    this.closed = true;
    this.group.remove(this);
    endQuietly(this.own.stream);
    endQuietly(this.own.result as Partial<AsyncIterator<unknown>>);
    this.#settle(error);
  }
}

class Group {
  readonly members = new Set<Member>();
  /** Events handed to the execution, waiting for their results, in order. */
  readonly #deliveries: Delivery[] = [];
  readonly #source = new PushSource();
  #results: AsyncIterator<unknown> | null = null;
  #closed = false;
  readonly key: string;
  readonly onClosed: (group: Group) => void;
  readonly logger: Logger;
  readonly chunkSize: number;

  constructor(key: string, onClosed: (group: Group) => void, logger: Logger, chunkSize: number) {
    this.key = key;
    this.onClosed = onClosed;
    this.logger = logger;
    this.chunkSize = chunkSize;
  }

  /** Each listener of one publish calls this in turn: the subscribers of one payload share a delivery. */
  offer(member: Member, event: unknown, payload: unknown) {
    let delivery = this.#deliveries.at(-1);
    if (!delivery || delivery.payload !== payload || member.lastDelivery === delivery) {
      delivery = { payload, members: [] };
      this.#deliveries.push(delivery);
      this.#source.push(event);
    }
    delivery.members.push(member);
    member.lastDelivery = delivery;
    member.pending += 1;
  }

  remove(member: Member) {
    this.members.delete(member);
    if (this.members.size === 0) this.close();
  }

  /** Runs the operation once for the group (through yoga, with the access checks) and fans out its results. */
  async run(args: ExecutionArgs, subscribe: (args: ExecutionArgs) => unknown) {
    const leader = args.contextValue as GraphqlContext;
    const context: GraphqlContext = {
      ...leader,
      transport: undefined,
      directDelivery: undefined,
      fanOutSource: this.#source,
    };
    try {
      const results = await subscribe({ ...args, contextValue: context });
      if (!isAsyncIterable(results)) {
        const errors = (results as ExecutionResult).errors;
        throw errors?.[0] ?? new Error('the shared subscription returned no stream');
      }
      this.#results = results[Symbol.asyncIterator]();
      if (this.#closed) return endQuietly(this.#results); // every member left meanwhile
      for (;;) {
        const item = await this.#results.next();
        if (item.done || this.#closed) break;
        const delivery = this.#deliveries.shift();
        if (delivery) await this.#send(delivery, nextPayloadJson(item.value as ExecutionResult));
      }
      this.#end();
    } catch (error) {
      this.logger.error({ err: error }, 'a shared websocket subscription failed');
      this.#end(isGraphQLError(error) ? error : graphqlError('INTERNAL_SERVER_ERROR', 'unexpected error'));
    }
  }

  async #send(delivery: Delivery, payloadJson: string) {
    const { members } = delivery;
    for (let i = 0; i < members.length; i++) {
      // Other sockets, requests and groups get their turn between chunks.
      if (i > 0 && i % this.chunkSize === 0) await nextTurn();
      const member = members[i]!;
      member.pending -= 1;
      member.write(payloadJson);
    }
  }

  /** No member left: stop the execution. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    this.onClosed(this);
    this.#source.end();
    endQuietly(this.#results);
  }

  #end(error?: unknown) {
    this.close();
    for (const member of [...this.members]) member.leave(error);
  }
}

export function createWsFanOut(options: { logger: Logger; chunkSize?: number }): WsFanOut {
  const groups = new Map<string, Group>();
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const onClosed = (group: Group) => {
    if (groups.get(group.key) === group) groups.delete(group.key);
  };
  return {
    attach(operation, args, result) {
      const stream = operation.slot.stream;
      operation.slot.stream = undefined;
      if (!stream || !operation.shareKey || !isAsyncIterable(result)) return result;
      let group = groups.get(operation.shareKey);
      const fresh = !group;
      if (!group) {
        group = new Group(operation.shareKey, onClosed, options.logger, chunkSize);
        groups.set(operation.shareKey, group);
      }
      const member = new Member(group, operation.socket, operation.id, { result, stream });
      group.members.add(member);
      if (!stream.redirect(member)) {
        // Ended meanwhile: graphql-ws iterates it as usual (and finds it done).
        member.closed = true;
        group.remove(member);
        return result;
      }
      if (fresh) void group.run(args, operation.subscribe);
      return member.iterator;
    },
    groups: () => groups.size,
  };
}
