import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ConversationEvent, PendingRun } from '../runtime/model.ts';

/**
 * The process's Prometheus metrics (served at `GET /metrics`, core/metrics/route.ts). One registry per
 * process (module-level): several gateways in one process (tests) share it, each test reads deltas.
 * Every label value comes from a bounded set (channels, machine states, event types, DAG ids, known
 * intents): nothing a user types becomes a label.
 */
export const metricsRegistry = new Registry();
const registers = [metricsRegistry];

let defaultsCollected = false;
/** Process metrics (CPU, memory, event-loop lag, GC, handles): started once, when /metrics is mounted. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

export const turnDuration = new Histogram({
  name: 'omnibot_turn_duration_seconds',
  help: 'Committed conversation turns and their latency (load, transition, invoked work, commit), by channel, event type, intent of the message and resulting state',
  labelNames: ['channel', 'event', 'intent', 'state'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers,
});

export const dedupHits = new Counter({
  name: 'omnibot_dedup_hits_total',
  help: 'Re-deliveries of an already claimed message id or workflow callback, by kind and whether the stored answer was there yet',
  labelNames: ['kind', 'answer'] as const,
  registers,
});

export const casConflicts = new Counter({
  name: 'omnibot_cas_conflicts_total',
  help: 'Conversation commits refused because another writer changed the conversation first (the turn is retried)',
  registers,
});

export const workflowsStarted = new Counter({
  name: 'omnibot_workflows_started_total',
  help: 'Workflow runs started by conversations, by DAG',
  labelNames: ['dag'] as const,
  registers,
});

export const workflowDuration = new Histogram({
  name: 'omnibot_workflow_duration_seconds',
  help: 'Finished workflow runs (result applied to the conversation) and their duration from start, by DAG and outcome (success, failed, timeout)',
  labelNames: ['dag', 'outcome'] as const,
  buckets: [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  registers,
});

export const deliveries = new Counter({
  name: 'omnibot_deliveries_total',
  help: 'Outbound send attempts, by channel and outcome (delivered, held: kept by the channel for later, failed: retried or dead-lettered)',
  labelNames: ['channel', 'outcome'] as const,
  registers,
});

export const deadLetters = new Counter({
  name: 'omnibot_dead_letters_total',
  help: 'Outbound messages kept in the dead-letter list, by channel',
  labelNames: ['channel'] as const,
  registers,
});

export const graphqlSubscriptions = new Gauge({
  name: 'omnibot_graphql_subscriptions',
  help: 'Open GraphQL subscriptions (WebSocket and SSE), by topic',
  labelNames: ['topic'] as const,
  registers,
});

/** Incremented by the rate limiters: `rateLimitRefusals.inc({ scope })` on every 429. */
export const rateLimitRefusals = new Counter({
  name: 'omnibot_rate_limit_refusals_total',
  help: 'Requests or connections refused by a rate or connection limit (429), by scope',
  labelNames: ['scope'] as const,
  registers,
});

export interface CommittedTurn {
  channel: string;
  event: ConversationEvent;
  /** A user message's intent from a bounded set (the model's `intentLabel`); "" for other events. */
  intent: string;
  /** The state after the turn. */
  state: string;
  /** The pending run before the turn. */
  pendingBefore: PendingRun | null;
  /** The pending run after the turn. */
  pending: PendingRun | null;
  /** `performance.now()` when the turn started. */
  startedAt: number;
}

/** Records a committed turn: its latency, and the workflow run it started or finished. */
export function recordTurn(turn: CommittedTurn): void {
  const { event } = turn;
  turnDuration.observe(
    { channel: turn.channel, event: event.type, intent: turn.intent, state: turn.state },
    Math.max(0, performance.now() - turn.startedAt) / 1000,
  );
  const before = turn.pendingBefore;
  if (turn.pending && turn.pending.runId !== before?.runId) workflowsStarted.inc({ dag: turn.pending.dagId });
  if (
    before &&
    (event.type === 'workflow.result' || event.type === 'workflow.timeout') &&
    event.runId === before.runId
  ) {
    const outcome = event.type === 'workflow.timeout' ? 'timeout' : event.status;
    workflowDuration.observe({ dag: before.dagId, outcome }, Math.max(0, event.at - before.startedAt) / 1000);
  }
}

/** A re-delivery answered from (or waiting for) the first processing. */
export function recordDuplicate(key: string, answer: 'stored' | 'pending'): void {
  dedupHits.inc({ kind: key.startsWith('workflow:') ? 'workflow_callback' : 'message', answer });
}

/** The kind of a bus topic (`conversation.messages:<id>` → `conversation.messages`). */
export function topicKind(topic: string): string {
  const colon = topic.indexOf(':');
  return colon < 0 ? topic : topic.slice(0, colon);
}
