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
import { isIntent } from './intents.ts';
import { replies } from './replies.ts';
import { menuCommand, understandText } from './understanding.ts';

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
    // Every intent is a metrics label; anything else (an unknown `intent:<x>` button) is "other".
    return isIntent(intent) ? intent : 'other';
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
