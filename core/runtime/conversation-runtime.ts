import { createActor, fromPromise, type InspectionEvent, type Observer, waitFor } from 'xstate';
import {
  type ConversationEvent,
  type ConversationSnapshot,
  conversationMachine,
  type FindEquipmentInput,
  MACHINE_VERSION,
  type PendingRun,
  type StartWorkflowInput,
  stateName,
  statusOf,
} from '../../machines/conversation.ts';
import { type Reply, replies as texts } from '../../machines/replies.ts';
import type { CmmsClient } from '../cmms/client.ts';
import { ConflictError, OmnibotError, UpstreamError, WorkflowUnavailableError } from '../errors.ts';
import { type EventBus, topics } from '../events/bus.ts';
import type { Logger } from '../log.ts';
import { casConflicts, recordTurn } from '../metrics/registry.ts';
import type { ConversationStore, Invocation, StoredConversation } from '../store/types.ts';
import type { InboundMessage, OutboundMessage } from '../types.ts';
import type { EquipmentSummary } from '../workflows/results.ts';
import type { WorkflowCallback, WorkflowRunner } from '../workflows/types.ts';
import { withDeadline } from './deadline.ts';
import {
  DEFAULT_CLAIM_LEASE_MS,
  DEFAULT_DUPLICATE_WAIT_MS,
  type MessageHold,
  messageKey,
  processOnce,
} from './message-once.ts';
import { createSerialQueue } from './serial-queue.ts';
import type { ConversationRuntime, DeliveryStatus, ReceiveOptions, TranscriptEntry, TurnResult } from './types.ts';
import { pendingView, viewOf } from './view.ts';

export interface RuntimeOptions {
  store: ConversationStore;
  runner: WorkflowRunner;
  cmms: Pick<CmmsClient, 'findEquipment'>;
  /** Hands one outbound message to its channel (never throws: the dispatcher retries and logs). */
  deliver: (message: OutboundMessage) => Promise<void>;
  bus: EventBus;
  logger: Logger;
  /** Where workflows POST their result (`{PUBLIC_URL}/api/bot/webhook`). */
  callbackUrl: string;
  workflowTimeoutMs: number;
  workflowPollIntervalMs: number;
  dedupTtlMs: number;
  /**
   * How long a claimed message id stays "in progress" without its holder's heartbeat (renewed every
   * third of it while the turn runs); a retried delivery takes over an expired claim. Default 6 s.
   */
  claimLeaseMs?: number;
  /** How long a retried delivery waits for a live holder's answer before a 409 "retry" (default 10 s). */
  duplicateWaitMs?: number;
  maxCommitAttempts?: number;
  /** How long an invoked actor (workflow trigger, equipment lookup) may take before its error path. */
  actorTimeoutMs?: number;
  /** A hand-off nobody answers for this long goes back to the assistant (default 8 h). */
  handoffTimeoutMs?: number;
  now?: () => number;
  /** Returns an inspection observer for a conversation, or undefined (no cost when off). */
  inspect?: (conversationId: string) => Observer<InspectionEvent> | ((event: InspectionEvent) => void) | undefined;
}

interface Participant {
  channel: string;
  userId: string;
  userName?: string;
}

export interface ConversationRuntimeImpl extends ConversationRuntime {
  /**
   * What is due for a conversation (called by the watcher): its pending workflow run's timeout or
   * status poll, or the expiry of a hand-off nobody answered.
   */
  checkDeadlines(conversationId: string): Promise<void>;
}

/** Longest wait for invoked actors in one turn; each actor gives up before it (ACTOR_TIMEOUT_MS). */
const BUSY_TIMEOUT_MS = 30_000;
const ACTOR_TIMEOUT_MS = 20_000;

export function createConversationRuntime(options: RuntimeOptions): ConversationRuntimeImpl {
  const { store, runner, bus, logger } = options;
  const now = options.now ?? Date.now;
  const queue = createSerialQueue();
  const inFlight = new Set<Promise<unknown>>();
  const claimLeaseMs = options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
  const maxAttempts = options.maxCommitAttempts ?? 50;
  const actorTimeoutMs = options.actorTimeoutMs ?? ACTOR_TIMEOUT_MS;
  const handoffTimeoutMs = options.handoffTimeoutMs ?? 8 * 3600_000;

  const track = <T>(work: Promise<T>): Promise<T> => {
    inFlight.add(work);
    void work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  };

  // What invoked actors return during a turn, per conversation (turns of one conversation are serial here).
  const invocations = new Map<string, Invocation[]>();
  const recorded = async <T>(conversationId: string, src: string, work: () => Promise<T>): Promise<T> => {
    // The list of the turn that started the actor: a late answer never lands in a later turn's log.
    const list = invocations.get(conversationId);
    try {
      const output = await withDeadline(work(), actorTimeoutMs, () => actorTimeout(src, actorTimeoutMs));
      list?.push({ src, ...(output !== undefined ? { output } : {}) });
      return output;
    } catch (error) {
      const { code, reason } = error as { code?: string; reason?: string };
      list?.push({
        src,
        error: { message: (error as Error).message, ...(code ? { code } : {}), ...(reason ? { reason } : {}) },
      });
      throw error;
    }
  };

  /** Starts (or, with the same run id, resumes) a workflow run that calls back to this process. */
  const triggerRun = (conversationId: string, dagId: string, runId: string, params: StartWorkflowInput['params']) =>
    runner.trigger(dagId, runId, {
      conversation_id: conversationId,
      run_id: runId,
      callback_url: options.callbackUrl,
      params,
    });

  // Provided once: the actors read the conversation from their input, not from a closure.
  const machine = conversationMachine.provide({
    actors: {
      startWorkflow: fromPromise<void, StartWorkflowInput>(({ input }) =>
        recorded(input.conversationId, 'startWorkflow', () =>
          triggerRun(input.conversationId, input.dagId, input.runId, input.params),
        ),
      ),
      findEquipment: fromPromise<EquipmentSummary[], FindEquipmentInput>(({ input }) =>
        recorded(input.conversationId, 'findEquipment', () => options.cmms.findEquipment(input.query)),
      ),
    },
  });

  /**
   * One transition: load, restore, send, wait for invoked work, commit (retried on a version
   * conflict). With `hold`, the commit also stores the answer under the claimed message id.
   */
  async function runTurn(
    conversationId: string,
    event: ConversationEvent,
    participant: Participant | null,
    inbound: TranscriptEntry | null,
    hold: MessageHold | null = null,
  ): Promise<TurnResult> {
    const startedAt = performance.now();
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const stored = await store.load(conversationId);
      if (!stored && !participant) throw new ConflictError('unknown conversation', { conversationId });
      const outcome = await transition(conversationId, stored, event);
      const at = new Date(now()).toISOString();
      const outbound: OutboundMessage[] = outcome.replies.map((reply) => ({
        conversationId,
        text: reply.text,
        ...(reply.buttons?.length ? { buttons: reply.buttons } : {}),
      }));
      const transcript: TranscriptEntry[] = [
        ...(inbound ? [inbound] : []),
        ...outbound.map((m) => ({
          conversationId,
          direction: 'out' as const,
          text: m.text,
          ...(m.buttons ? { buttons: m.buttons } : {}),
          at,
        })),
      ];
      const meta = {
        channel: stored?.meta.channel ?? participant!.channel,
        userId: stored?.meta.userId ?? participant!.userId,
        ...((participant?.userName ?? stored?.meta.userName)
          ? { userName: participant?.userName ?? stored?.meta.userName }
          : {}),
        machineVersion: MACHINE_VERSION,
        createdAt: outcome.restarted || !stored ? at : stored.meta.createdAt,
        updatedAt: at,
      };
      const pending = outcome.snapshot.context.pending;
      const status = statusOf(outcome.snapshot);
      const result: TurnResult = { conversationId, replies: outbound, state: outcome.state, status, duplicate: false };
      const version = await store.commit(conversationId, stored?.version ?? 0, {
        snapshot: outcome.persisted,
        meta,
        events: [
          {
            at,
            event: event as unknown as Record<string, unknown>,
            stateBefore: outcome.stateBefore,
            stateAfter: outcome.state,
            version: (stored?.version ?? 0) + 1,
            channel: meta.channel,
            machineVersion: MACHINE_VERSION,
            ...(outcome.invocations.length ? { invocations: outcome.invocations } : {}),
          },
        ],
        transcript,
        checkAt: pending
          ? Math.min(pending.deadline, now() + options.workflowPollIntervalMs)
          : outcome.snapshot.hasTag('handoff')
            ? (outcome.snapshot.context.handoffActiveAt ?? now()) + handoffTimeoutMs
            : null,
        ...(hold ? { dedup: { ...hold, result, ttlMs: options.dedupTtlMs } } : {}),
      });
      if (version === null) {
        casConflicts.inc();
        logger.debug({ conversationId, attempt }, 'version conflict, retrying turn');
        continue;
      }
      recordTurn({ channel: meta.channel, event, state: outcome.state, stored, pending, startedAt });
      for (const entry of transcript) bus.publish(topics.messages(conversationId), entry);
      bus.publish(topics.state(conversationId), {
        conversationId,
        state: outcome.state,
        status,
        version,
        ...(pending ? { pendingWorkflow: pendingView(pending) } : {}),
      });
      for (const message of outbound) await options.deliver(message);
      return result;
    }
    throw new OmnibotError('busy', 'conversation is too busy, try again', 503, { conversationId });
  }

  async function transition(conversationId: string, stored: StoredConversation | null, event: ConversationEvent) {
    const replies: Reply[] = [];
    let restarted = false;
    let snapshot: unknown;
    if (stored) {
      if (stored.meta.machineVersion > MACHINE_VERSION) {
        // A newer process wrote it (rolling deploy): never downgrade it; the sender retries.
        throw new OmnibotError(
          'machine_version_newer',
          `conversation was saved by machine version ${stored.meta.machineVersion}; this process runs ${MACHINE_VERSION}`,
          503,
        );
      }
      if (stored.meta.machineVersion === MACHINE_VERSION) snapshot = stored.snapshot;
      else {
        restarted = true;
        logger.info(
          { conversationId, from: stored.meta.machineVersion, to: MACHINE_VERSION },
          'conversation restarted under a new machine version',
        );
      }
    }
    const inspect = options.inspect?.(conversationId);
    const create = (withSnapshot: unknown) =>
      createActor(machine, {
        // A fresh conversation's epoch is its first event's time: a replay of the log derives the same run ids.
        input: { conversationId, workflowTimeoutMs: options.workflowTimeoutMs, now: event.at },
        ...(withSnapshot ? { snapshot: withSnapshot as ConversationSnapshot } : {}),
        ...(inspect ? { inspect } : {}),
      });
    // An actor whose snapshot cannot be restored reports an error snapshot (and would throw from a
    // timer if nobody listened): it is replaced by a fresh conversation.
    const restore = (withSnapshot: unknown) => {
      try {
        const restored = create(withSnapshot);
        restored.subscribe({ error: () => {} });
        restored.start();
        if (restored.getSnapshot().status !== 'error') return restored;
        restored.stop();
      } catch {
        // handled below
      }
      return null;
    };
    let actor = snapshot ? restore(snapshot) : null;
    if (!actor) {
      if (snapshot) {
        logger.warn({ conversationId }, 'snapshot could not be restored, conversation restarted');
        restarted = true;
      }
      actor = restore(undefined);
      if (!actor) throw new OmnibotError('machine_error', 'the conversation machine could not start', 500);
    }
    if (restarted && event.type === 'user.message') replies.push(texts.conversationRestarted());
    actor.on('reply', (emitted) => replies.push(emitted.reply));
    const before = actor.getSnapshot();
    if ((event.type === 'workflow.result' || event.type === 'workflow.timeout') && !before.can(event)) {
      actor.stop();
      throw new ConflictError('no workflow run of that id is pending in this conversation', {
        conversationId,
        runId: event.runId,
      });
    }
    if ((event.type.startsWith('agent.') || event.type === 'handoff.expire') && !before.hasTag('handoff')) {
      actor.stop();
      throw new ConflictError('conversation is not handed off to a person', { conversationId });
    }
    const turnInvocations: Invocation[] = [];
    invocations.set(conversationId, turnInvocations);
    try {
      actor.send(event);
      const sent = actor.getSnapshot();
      if (sent.status === 'error') {
        throw new OmnibotError('machine_error', `the conversation machine failed on ${event.type}`, 500, {
          conversationId,
        });
      }
      // Most turns invoke nothing: only wait when an invoked actor (workflow start, lookup) is running.
      const after = sent.hasTag('busy')
        ? await waitFor(actor, (s) => !s.hasTag('busy'), { timeout: BUSY_TIMEOUT_MS })
        : sent;
      return {
        replies,
        invocations: turnInvocations,
        restarted,
        snapshot: after,
        persisted: actor.getPersistedSnapshot(),
        stateBefore: stored && !restarted ? stateName(before.value) : null,
        state: stateName(after.value),
      };
    } finally {
      invocations.delete(conversationId);
      actor.stop();
    }
  }

  const run = (conversationId: string, work: () => Promise<TurnResult>) => track(queue.run(conversationId, work));
  const once = processOnce({
    store,
    logger,
    claimLeaseMs,
    duplicateWaitMs: options.duplicateWaitMs ?? DEFAULT_DUPLICATE_WAIT_MS,
  });

  function receive(message: InboundMessage, opts: ReceiveOptions = {}): Promise<TurnResult> {
    // Scoped by conversation: a client-chosen id (web `message_id`) can never reach another user's answer.
    const key = messageKey('in', message.conversationId, message.id);
    const inbound: TranscriptEntry = {
      conversationId: message.conversationId,
      direction: 'in',
      text: message.text ?? '',
      ...(message.action ? { action: message.action } : {}),
      messageId: message.id,
      at: message.receivedAt,
    };
    const participant: Participant = {
      channel: message.channel,
      userId: message.user.id,
      ...(message.user.name ? { userName: message.user.name } : {}),
    };
    const process = async (hold: MessageHold | null) => {
      // Only new work is admitted (rate limits): a retried delivery is answered from the store for free.
      await opts.admit?.();
      const event: ConversationEvent = {
        type: 'user.message',
        ...(message.text !== undefined ? { text: message.text } : {}),
        ...(message.action ? { action: message.action } : {}),
        at: now(),
        channel: message.channel,
        ...(message.attachments?.length || message.location ? { hasAttachments: true } : {}),
      };
      return run(message.conversationId, () => runTurn(message.conversationId, event, participant, inbound, hold));
    };
    return message.oneShot ? process(null) : once(key, message.conversationId, process);
  }

  function deliverWorkflowResult(callback: WorkflowCallback): Promise<TurnResult> {
    const key = messageKey('workflow', callback.conversation_id, callback.run_id);
    const event = (): ConversationEvent => ({
      type: 'workflow.result',
      runId: callback.run_id,
      dagId: callback.dag_id,
      status: callback.status,
      ...(callback.result !== undefined ? { result: callback.result } : {}),
      ...(callback.error ? { error: callback.error } : {}),
      at: now(),
    });
    // A refused run (stale, unknown conversation) releases its claim like any failure: a replay is
    // refused again at once (409), and a result that arrived before its run was saved can still apply.
    return once(key, callback.conversation_id, (hold) =>
      run(callback.conversation_id, () => runTurn(callback.conversation_id, event(), null, null, hold)),
    );
  }

  async function checkDeadlines(conversationId: string): Promise<void> {
    const stored = await store.load(conversationId);
    const persisted = persistedOf(stored);
    const pending = persisted?.context?.pending;
    if (stored && !pending && persisted?.value === 'handoff') return expireHandoff(conversationId, persisted.context);
    if (!stored || !pending) {
      await store.clearCheck(conversationId); // expired, or nothing pending any more
      return;
    }
    try {
      if (now() >= pending.deadline) {
        logger.warn({ conversationId, runId: pending.runId, dagId: pending.dagId }, 'workflow timed out');
        await run(conversationId, () =>
          runTurn(conversationId, { type: 'workflow.timeout', runId: pending.runId, at: now() }, null, null),
        );
        return;
      }
      const status = await runner.status(pending.dagId, pending.runId);
      if (status.state === 'lost') return await resumeRun(conversationId, pending);
      if (status.state !== 'success' && status.state !== 'failed') return;
      if (status.state === 'success' && status.result === undefined) return; // wait for the callback or the deadline
      logger.warn({ conversationId, runId: pending.runId, state: status.state }, 'workflow ended without a callback');
      await deliverWorkflowResult({
        conversation_id: conversationId,
        run_id: pending.runId,
        dag_id: pending.dagId,
        status: status.state,
        ...(status.result !== undefined ? { result: status.result } : {}),
        ...(status.error ? { error: status.error } : {}),
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) {
        logger.warn({ conversationId, err: error }, 'workflow check failed');
        return;
      }
      // The callback won the race, or the stored state can no longer take this run's result (e.g. it
      // was restarted): in the latter case nothing will ever clear the schedule but this.
      const still = persistedOf(await store.load(conversationId))?.context?.pending;
      if (still?.runId === pending.runId) await store.clearCheck(conversationId);
    }
  }

  /**
   * The run's process died before it ended: the same run id is started again here (the workflow
   * gives the first attempt's outcome) and calls back to this process.
   */
  async function resumeRun(conversationId: string, pending: PendingRun): Promise<void> {
    logger.warn({ conversationId, runId: pending.runId, dagId: pending.dagId }, 'workflow run lost; resuming it');
    await triggerRun(conversationId, pending.dagId, pending.runId, pending.params);
  }

  /** A hand-off nobody answered for `handoffTimeoutMs` goes back to the assistant, with a notice. */
  async function expireHandoff(conversationId: string, context: { handoffActiveAt?: number } | undefined) {
    if (now() < (context?.handoffActiveAt ?? 0) + handoffTimeoutMs) return;
    try {
      logger.info({ conversationId }, 'hand-off expired without an answer');
      await run(conversationId, () => runTurn(conversationId, { type: 'handoff.expire', at: now() }, null, null));
    } catch (error) {
      if (!(error instanceof ConflictError)) logger.warn({ conversationId, err: error }, 'hand-off expiry failed');
    }
  }

  const agentTurn = (conversationId: string, event: ConversationEvent, text: string) =>
    run(conversationId, () => runTurn(conversationId, event, null, null)).then((result) => {
      logger.info({ conversationId, event: event.type, length: text.length }, 'agent event');
      return result;
    });

  return {
    receive,
    deliverWorkflowResult,
    checkDeadlines,
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
      return stored ? viewOf(conversationId, stored) : null;
    },
    transcript: (conversationId, limit) => store.readTranscript(conversationId, limit),
    track(work) {
      void track(work.catch((error: unknown) => logger.error({ err: error }, 'background work failed')));
    },
    async drain(timeoutMs) {
      const deadline = now() + timeoutMs;
      while (inFlight.size > 0 && now() < deadline) {
        await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 50))]);
      }
    },
  };
}

/** What the watcher reads of a stored snapshot, without restoring an actor. */
function persistedOf(stored: StoredConversation | null) {
  return stored?.snapshot as
    | { value?: unknown; context?: { pending?: PendingRun | null; handoffActiveAt?: number } }
    | undefined;
}

/** An invoked actor out of time: the machine's error path for it (workflow unavailable, CMMS down). */
function actorTimeout(src: string, ms: number): Error {
  return src === 'startWorkflow'
    ? new WorkflowUnavailableError('unreachable', `${src} took longer than ${ms} ms`)
    : new UpstreamError('cmms', `${src} took longer than ${ms} ms`, { retryable: true });
}
