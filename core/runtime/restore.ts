import { type Actor, type AnyStateMachine, createActor } from 'xstate';
import { OmnibotError, UnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { StoredConversation } from '../store/types.ts';
import type { ConversationInput, ConversationModel } from './model.ts';
import type { RuntimeSettings } from './options.ts';

export type ConversationActor = Actor<AnyStateMachine>;

export interface RestoredActor {
  /** Started; the caller stops it. */
  actor: ConversationActor;
  /** The stored conversation could not be continued (older machine version, broken snapshot). */
  restarted: boolean;
}

/** How soon a conversation saved by a newer machine version is worth sending again (a rolling deploy ends). */
const NEWER_VERSION_RETRY_AFTER_MS = 5_000;

/**
 * The conversation's actor, restored from its stored snapshot. A conversation saved by an older
 * machine version it does not read, or whose snapshot cannot be restored, starts afresh (`restarted`); one saved by a
 * newer version is refused (rolling deploy: never downgrade it; the sender retries).
 */
export function restoreActor(
  settings: Pick<RuntimeSettings, 'model' | 'logger' | 'inspect'>,
  machine: AnyStateMachine,
  stored: StoredConversation | null,
  input: ConversationInput,
): RestoredActor {
  const { logger } = settings;
  const { conversationId } = input;
  const current = stored && isCurrentVersion(settings.model, logger, conversationId, stored);
  const snapshot = current ? stored.snapshot : undefined;
  let restarted = !!stored && !current;
  const inspect = settings.inspect?.(conversationId);
  const start = (withSnapshot: unknown) => startActor(machine, input, withSnapshot, inspect);
  let actor = snapshot ? start(snapshot) : null;
  if (!actor) {
    if (snapshot) {
      logger.warn({ conversationId }, 'snapshot could not be restored, conversation restarted');
      restarted = true;
    }
    actor = start(undefined);
    if (!actor) throw new OmnibotError('machine_error', 'the conversation machine could not start', 500);
  }
  return { actor, restarted };
}

/**
 * Whether this machine can continue the conversation: written by its own version or one it still
 * reads (`readsVersions`); false: an older, unreadable one (restart). A newer version throws 503.
 */
function isCurrentVersion(
  model: ConversationModel,
  logger: Logger,
  conversationId: string,
  stored: StoredConversation,
): boolean {
  const saved = stored.meta.machineVersion;
  if (saved > model.version) {
    throw new UnavailableError(
      'machine_version_newer',
      `conversation was saved by machine version ${saved}; this process runs ${model.version}`,
      NEWER_VERSION_RETRY_AFTER_MS,
    );
  }
  if (saved === model.version || model.readsVersions?.includes(saved)) return true;
  logger.info({ conversationId, from: saved, to: model.version }, 'conversation restarted under a new machine version');
  return false;
}

/**
 * A started actor, or null when its snapshot cannot be restored: such an actor reports an error
 * snapshot (and would throw from a timer if nobody listened).
 */
function startActor(
  machine: AnyStateMachine,
  input: ConversationInput,
  snapshot: unknown,
  inspect: ReturnType<NonNullable<RuntimeSettings['inspect']>>,
): ConversationActor | null {
  try {
    const actor = createActor(machine, {
      input,
      ...(snapshot ? { snapshot: snapshot as never } : {}),
      ...(inspect ? { inspect } : {}),
    });
    actor.subscribe({ error: () => {} });
    actor.start();
    if (actor.getSnapshot().status !== 'error') return actor;
    actor.stop();
  } catch {
    // a fresh conversation instead
  }
  return null;
}
