import type { ConversationEvent, OrderChangedEvent, WorkflowResultEvent } from '../../core/runtime/model.ts';
import { foldText } from '../../lib/fold-text.ts';
import { isRecord } from '../../lib/is-record.ts';
import { isDagId, workflowConstants } from '../../workflows/catalog.ts';
import { ORDER_RESULT_WORKFLOWS } from '../workflow-replies.ts';
import type { ConversationContext, OwnChange } from './types.ts';

/**
 * What the conversation remembers for the order-change notifications: the orders its own workflows
 * changed lately (a change it caused itself is not told back to it, once), and the CMMS user the chat
 * is linked to (a notification does not name the recipient to themselves).
 */

/** How long a change this conversation made is not told back to it. */
export const OWN_CHANGE_WINDOW_MS = 15 * 60_000;
/** At most this many own changes are kept (the oldest go first). */
const MAX_OWN_CHANGES = 20;

const same = (a: string, b: string) => foldText(a) === foldText(b);

/** A CMMS user id as the CMMS may give it (a number, or its digits); null for none. */
function userId(value: unknown): number | null {
  const id = typeof value === 'number' || (typeof value === 'string' && value.trim() !== '') ? Number(value) : NaN;
  return Number.isSafeInteger(id) ? id : null;
}

/** The order a successful result left: its state (an order action's when the CMMS gave none) and technician. */
function changedOrder(dagId: string, result: unknown): Omit<OwnChange, 'at'> | undefined {
  if (!isDagId(dagId) || !ORDER_RESULT_WORKFLOWS.includes(dagId)) return undefined;
  if (!isRecord(result) || !isRecord(result.order) || typeof result.order.numeroot !== 'string') return undefined;
  const { order } = result;
  const fallback =
    dagId === 'iniciar_ot' || dagId === 'completar_ot' || dagId === 'asignar_ot'
      ? workflowConstants(dagId).state
      : undefined;
  const state = typeof order.estado_nombre === 'string' ? order.estado_nombre : fallback;
  if (!state) return undefined;
  const name = typeof order.tecnico_nombre === 'string' && order.tecnico_nombre.trim() ? order.tecnico_nombre : null;
  return { orderNumber: order.numeroot as string, state, technician: { id: userId(order.idtecnicoasignado), name } };
}

/**
 * The own changes after a successful result of a failure report or an order action (the user was told
 * the order's state and technician by it): that one added, those older than the window dropped.
 */
export function withOwnChange(context: ConversationContext, event: WorkflowResultEvent): Partial<ConversationContext> {
  const dagId = event.runId === context.pending?.runId ? context.pending.dagId : event.dagId;
  const order = event.status === 'success' ? changedOrder(dagId, event.result) : undefined;
  if (!order) return {};
  const recent = (context.ownChanges ?? []).filter((own) => event.at - own.at < OWN_CHANGE_WINDOW_MS);
  return { ownChanges: [...recent, { ...order, at: event.at }].slice(-MAX_OWN_CHANGES) };
}

/**
 * Whether the change left the technician the own change left: the same id, else the same name, or
 * none on both sides. A record of an earlier build (no technician kept) compares the state only.
 */
function sameTechnician(own: OwnChange, change: OrderChangedEvent['change']): boolean {
  if (!own.technician) return true;
  const { id, name } = own.technician;
  const changeHasOne = change.technicianId !== undefined || !!change.technicianName;
  if (id === null && name === null) return !changeHasOne;
  if (id !== null && change.technicianId !== undefined) return id === change.technicianId;
  if (name !== null && change.technicianName) return same(name, change.technicianName);
  // One side unknown or told apart differently: told (a real change is worse to miss than a repeat).
  return false;
}

/** The own change this order change is (same order, state and technician, within the window); -1: none. */
function ownChangeIndex(context: ConversationContext, event: OrderChangedEvent): number {
  const { change } = event;
  return (context.ownChanges ?? []).findIndex(
    (own) =>
      same(own.orderNumber, change.number) &&
      same(own.state, change.state) &&
      sameTechnician(own, change) &&
      Math.abs(event.at - own.at) <= OWN_CHANGE_WINDOW_MS,
  );
}

/** The conversation itself made this change lately (its result told the user already). */
export function isOwnChange(context: ConversationContext, event: OrderChangedEvent): boolean {
  return ownChangeIndex(context, event) >= 0;
}

/** The own change this order change used up: each one keeps back a single notification. */
export function withoutOwnChange(context: ConversationContext, event: OrderChangedEvent): Partial<ConversationContext> {
  const index = ownChangeIndex(context, event);
  return index < 0 ? {} : { ownChanges: (context.ownChanges ?? []).filter((_, i) => i !== index) };
}

/**
 * The CMMS user an event says the chat is linked to (an expired link still is one: the chat is told of
 * its orders until it is removed); undefined when the event says nothing about it.
 */
export function linkedUserOf(event: ConversationEvent): number | null | undefined {
  if (event.type === 'identity.linked') return userId(event.identity.cmmsUserId);
  if (event.type === 'identity.unlinked') return null;
  if (event.type === 'user.message' && event.identity !== undefined) return userId(event.identity?.cmmsUserId);
  return undefined;
}
