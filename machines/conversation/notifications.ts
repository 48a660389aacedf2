import type { OrderChangedEvent, WorkflowResultEvent } from '../../core/runtime/model.ts';
import { foldText } from '../../lib/fold-text.ts';
import { isRecord } from '../../lib/is-record.ts';
import { isDagId, workflowConstants } from '../../workflows/catalog.ts';
import { ORDER_RESULT_WORKFLOWS } from '../workflow-replies.ts';
import type { ConversationContext, OwnChange } from './types.ts';

/**
 * What the conversation remembers for the order-change notifications: the orders its own workflows
 * changed lately, so that a change it caused itself is not told back to it.
 */

/** How long a change this conversation made is not told back to it. */
export const OWN_CHANGE_WINDOW_MS = 15 * 60_000;
/** At most this many own changes are kept (the oldest go first). */
const MAX_OWN_CHANGES = 20;

const same = (a: string, b: string) => foldText(a) === foldText(b);

/** The order a successful result left, and its state (an order action's state when the CMMS gave none). */
function changedOrder(dagId: string, result: unknown): Omit<OwnChange, 'at'> | undefined {
  if (!isDagId(dagId) || !ORDER_RESULT_WORKFLOWS.includes(dagId)) return undefined;
  if (!isRecord(result) || !isRecord(result.order) || typeof result.order.numeroot !== 'string') return undefined;
  const fallback =
    dagId === 'iniciar_ot' || dagId === 'completar_ot' || dagId === 'asignar_ot'
      ? workflowConstants(dagId).state
      : undefined;
  const state = typeof result.order.estado_nombre === 'string' ? result.order.estado_nombre : fallback;
  return state ? { orderNumber: result.order.numeroot, state } : undefined;
}

/**
 * The own changes after a successful result of a failure report or an order action (the user was told
 * the order's state by it): that one added, those older than the window dropped.
 */
export function withOwnChange(context: ConversationContext, event: WorkflowResultEvent): Partial<ConversationContext> {
  const dagId = event.runId === context.pending?.runId ? context.pending.dagId : event.dagId;
  const order = event.status === 'success' ? changedOrder(dagId, event.result) : undefined;
  if (!order) return {};
  const recent = (context.ownChanges ?? []).filter((own) => event.at - own.at < OWN_CHANGE_WINDOW_MS);
  return { ownChanges: [...recent, { ...order, at: event.at }].slice(-MAX_OWN_CHANGES) };
}

/** The conversation itself left the order in that state within the window (its result said so). */
export function isOwnChange(context: ConversationContext, event: OrderChangedEvent): boolean {
  const { number, state } = event.change;
  return (context.ownChanges ?? []).some(
    (own) =>
      same(own.orderNumber, number) && same(own.state, state) && Math.abs(event.at - own.at) <= OWN_CHANGE_WINDOW_MS,
  );
}
