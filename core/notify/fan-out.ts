import { OmnibotError } from '../errors.ts';
import { isStoreOutage } from '../http/unavailable.ts';
import type { IdentityService } from '../identity/types.ts';
import type { Logger } from '../log.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import { audienceOf, audienceUsers, type Relation, relationByChat } from './recipients.ts';
import type { FanOutOutcome, NotifyChange } from './types.ts';

export interface FanOutDeps {
  runtime: Pick<ConversationRuntime, 'notifyOrderChange'>;
  identity: Pick<IdentityService, 'conversationsOf'>;
  logger: Logger;
  /** Conversations told at the same time (each one's changes in order). Default 8. */
  concurrency?: number;
}

interface Delivery {
  conversationId: string;
  change: NotifyChange;
  relation: Relation;
}

/**
 * Tells every linked chat of each change's requester, technician and former technician (`recipients.ts`), each
 * through `runtime.notifyOrderChange` (once per change and chat, whichever process or retry asks).
 * A chat's failure never stops the others: the changes some chat could not be told of now are
 * returned in `retry` (the poller keeps them pending; the DAG is answered 503), and so are that chat's
 * later changes (a chat hears an order's changes in order). Looking up who is linked failing (the
 * store down) throws: nothing was told.
 */
export async function fanOut(deps: FanOutDeps, changes: readonly NotifyChange[]): Promise<FanOutOutcome> {
  const chats = await linkedChats(deps, changes);
  const deliveries: Delivery[] = [];
  for (const change of changes) {
    const byChat = relationByChat(audienceOf(change), (userId) => chats.get(userId) ?? []);
    for (const [conversationId, relation] of byChat) deliveries.push({ conversationId, change, relation });
  }
  const outcome: FanOutOutcome = { notified: 0, duplicates: 0, retry: new Set() };
  // Per conversation in order (a later change of an order after an earlier one); conversations side by side.
  const queues = new Map<string, Delivery[]>();
  for (const delivery of deliveries) {
    const queue = queues.get(delivery.conversationId) ?? [];
    queue.push(delivery);
    queues.set(delivery.conversationId, queue);
  }
  const pending = [...queues.values()];
  const worker = async () => {
    for (let queue = pending.shift(); queue; queue = pending.shift()) {
      for (const [index, delivery] of queue.entries()) {
        if (await deliver(deps, delivery, outcome)) continue;
        // Not told now: the chat's later changes wait for it (never a newer state before an older one).
        for (const later of queue.slice(index + 1)) outcome.retry.add(later.change.changeId);
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 8, pending.length) }, worker));
  return outcome;
}

/** Each user's linked chats (conversation ids), read once per batch. */
async function linkedChats(deps: FanOutDeps, changes: readonly NotifyChange[]): Promise<Map<number, string[]>> {
  const users = new Set<number>();
  for (const change of changes) {
    for (const userId of audienceUsers(audienceOf(change))) users.add(userId);
  }
  const chats = new Map<number, string[]>();
  for (const userId of users) chats.set(userId, await deps.identity.conversationsOf(userId));
  return chats;
}

/** Tells one chat one change; false when it is worth trying again later (added to `retry`). */
async function deliver(
  deps: FanOutDeps,
  { conversationId, change, relation }: Delivery,
  outcome: FanOutOutcome,
): Promise<boolean> {
  const { changeId } = change;
  try {
    const turn = await deps.runtime.notifyOrderChange(conversationId, change, relation);
    if (!turn) return true; // linked no more, and no conversation (erased): nobody to tell there
    if (turn.duplicate) outcome.duplicates++;
    else outcome.notified++;
    return true;
  } catch (error) {
    if (!worthRetrying(error)) {
      deps.logger.error({ conversationId, changeId, err: error }, 'order change could not be told to a chat');
      return true;
    }
    deps.logger.warn({ conversationId, changeId, err: error }, 'order change not told to a chat yet: retry');
    outcome.retry.add(changeId);
    outcome.retryError ??= error;
    return false;
  }
}

/**
 * A refusal of this very event (a 4xx, the machine failing on it) fails again on every retry: it is
 * logged, not retried. Anything else (a store outage, a busy conversation, a claim held elsewhere) may pass later.
 */
function worthRetrying(error: unknown): boolean {
  if (isStoreOutage(error)) return true;
  if (!(error instanceof OmnibotError)) return true;
  return error.retryAfterMs !== undefined || (error.status >= 500 && error.code !== 'machine_error');
}
