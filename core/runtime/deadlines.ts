import { ConflictError } from '../errors.ts';
import { IdentityExpiredError } from '../identity/errors.ts';
import type { WorkflowCallback } from '../workflows/types.ts';
import type { PendingRun, Waiting } from './model.ts';
import type { RuntimeSettings } from './options.ts';
import type { TurnRequest } from './turn-request.ts';
import type { TurnResult } from './types.ts';
import { resumeRun } from './workflow-runs.ts';

/** What the deadline checks need of the runtime. */
export interface DeadlineParts {
  settings: RuntimeSettings;
  /** Queues a turn behind the conversation's others; `request` is made when its turn comes. */
  turn(conversationId: string, request: () => TurnRequest): Promise<TurnResult>;
  deliverWorkflowResult(callback: WorkflowCallback): Promise<TurnResult>;
}

/**
 * What is due for a conversation (the watcher calls it): its pending workflow run's timeout or
 * status poll, or the expiry of a hand-off nobody answered. Nothing left to wait for takes the
 * conversation off the watcher's schedule.
 */
export async function checkDeadlines(parts: DeadlineParts, conversationId: string): Promise<void> {
  const { store, model } = parts.settings;
  const stored = await store.load(conversationId);
  const { pending, handoff } = model.waitingOf(stored?.snapshot);
  if (stored && !pending && handoff) return expireHandoff(parts, conversationId, handoff);
  if (!stored || !pending) {
    await store.clearCheck(conversationId); // expired, or nothing pending any more
    return;
  }
  try {
    await checkRun(parts, conversationId, pending);
  } catch (error) {
    if (!(error instanceof ConflictError)) {
      parts.settings.logger.warn({ conversationId, err: error }, 'workflow check failed');
      return;
    }
    // The callback won the race, or the stored state can no longer take this run's result (e.g. it
    // was restarted): in the latter case nothing will ever clear the schedule but this.
    const still = model.waitingOf((await store.load(conversationId))?.snapshot).pending;
    if (still?.runId === pending.runId) await store.clearCheck(conversationId);
  }
}

/** Times the run out, resumes it when lost, or finishes it from its status when it ended without a callback. */
async function checkRun(parts: DeadlineParts, conversationId: string, pending: PendingRun): Promise<void> {
  const { settings } = parts;
  const { logger, now } = settings;
  if (now() >= pending.deadline) {
    logger.warn({ conversationId, runId: pending.runId, dagId: pending.dagId }, 'workflow timed out');
    await parts.turn(conversationId, () => ({
      conversationId,
      event: { type: 'workflow.timeout', runId: pending.runId, at: now() },
      participant: null,
      inbound: null,
    }));
    return;
  }
  const status = await settings.runner.status(pending.dagId, pending.runId);
  if (status.state === 'lost') return resumeOrFail(parts, conversationId, pending);
  if (status.state !== 'success' && status.state !== 'failed') return;
  if (status.state === 'success' && status.result === undefined) return; // wait for the callback or the deadline
  logger.warn({ conversationId, runId: pending.runId, state: status.state }, 'workflow ended without a callback');
  await parts.deliverWorkflowResult({
    conversation_id: conversationId,
    run_id: pending.runId,
    dag_id: pending.dagId,
    status: status.state,
    ...(status.result !== undefined ? { result: status.result } : {}),
    ...(status.error ? { error: status.error } : {}),
  });
}

/**
 * Resumes a lost run; a user-only run whose user has no live link any more ends as failed
 * `identity_expired` (the machine asks the user to link again) instead of waiting for its deadline.
 */
async function resumeOrFail(parts: DeadlineParts, conversationId: string, pending: PendingRun): Promise<void> {
  try {
    await resumeRun(parts.settings, conversationId, pending);
  } catch (error) {
    if (!(error instanceof IdentityExpiredError)) throw error;
    await parts.deliverWorkflowResult({
      conversation_id: conversationId,
      run_id: pending.runId,
      dag_id: pending.dagId,
      status: 'failed',
      error: { code: error.code, message: error.message },
    });
  }
}

/** A hand-off nobody answered for `handoffTimeoutMs` goes back to the assistant, with a notice. */
async function expireHandoff(parts: DeadlineParts, conversationId: string, handoff: NonNullable<Waiting['handoff']>) {
  const { logger, now, handoffTimeoutMs } = parts.settings;
  if (now() < (handoff.activeAt ?? 0) + handoffTimeoutMs) return;
  try {
    logger.info({ conversationId }, 'hand-off expired without an answer');
    await parts.turn(conversationId, () => ({
      conversationId,
      event: { type: 'handoff.expire', at: now() },
      participant: null,
      inbound: null,
    }));
  } catch (error) {
    if (!(error instanceof ConflictError)) logger.warn({ conversationId, err: error }, 'hand-off expiry failed');
  }
}
