import type { ConversationModel, Waiting } from '../core/runtime/model.ts';
import {
  type ConversationSnapshot,
  conversationMachine,
  intentOf,
  MACHINE_VERSION,
  type PendingRun,
  stateName,
  statusOf,
} from './conversation.ts';
import type { Intent } from './intents.ts';
import { replies } from './replies.ts';
import { menuCommand, understandText } from './understanding.ts';

/**
 * Every intent is a metrics label (a missing one is a type error); anything else, e.g. an unknown
 * `intent:<x>` button, is "other".
 */
const INTENT_LABELS: Record<Intent, true> = {
  cancel: true,
  handoff: true,
  report_failure: true,
  work_order_status: true,
  pending_work_orders: true,
  list_equipment: true,
  help: true,
  greeting: true,
  thanks: true,
  farewell: true,
  acknowledge: true,
  link: true,
  unlink: true,
  my_orders: true,
  my_assigned_orders: true,
  my_pending: true,
  unassigned_orders: true,
  start_order: true,
  complete_order: true,
  assign_order: true,
  erase_data: true,
  notifications_off: true,
  notifications_on: true,
  notifications_info: true,
  unknown: true,
};

/** The conversation machine as core's runtime sees it (handed to it by the composition root). */
export const conversationModel: ConversationModel = {
  machine: conversationMachine,
  version: MACHINE_VERSION,
  // Version 1's states and fields are all kept in version 2 (the new fields are optional).
  readsVersions: [1],
  stateName,
  statusOf: (snapshot) => statusOf(snapshot as unknown as ConversationSnapshot),
  intentLabel(event) {
    if (event.type !== 'user.message') return '';
    const { intent } = intentOf(event);
    return Object.hasOwn(INTENT_LABELS, intent) ? intent : 'other';
  },
  // A menu command needs no catalog (and no classifier): it is read for free.
  async understand(text, catalog) {
    return menuCommand(text) ? understandText(text) : understandText(text, await catalog());
  },
  waitingOf(persisted): Waiting {
    const { value, context } = (persisted ?? {}) as {
      value?: unknown;
      context?: { pending?: PendingRun | null; handoffActiveAt?: number };
    };
    const handoffActiveAt = context?.handoffActiveAt;
    return {
      pending: context?.pending ?? null,
      handoff: value === 'handoff' ? (handoffActiveAt !== undefined ? { activeAt: handoffActiveAt } : {}) : null,
    };
  },
  conversationRestarted: () => replies.conversationRestarted(),
};
