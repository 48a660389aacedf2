import type { Reply } from '../../core/runtime/model.ts';
import { confirmButtons } from '../order-replies.ts';
import { replies } from '../replies.ts';
import type { ConversationContext } from './types.ts';

/**
 * The question each step of a form waits an answer to, short (with its buttons, when it has them):
 * said again after a notification or the notifications' switch came in between.
 */
export type QuestionOf = (context: ConversationContext) => Reply;

export const questions = {
  equipment: ({ candidates }) =>
    candidates.length > 0
      ? { text: replies.equipmentQuestion(true), buttons: replies.chooseEquipment(candidates).buttons }
      : { text: replies.equipmentQuestion(false) },
  description: ({ draft }) => ({
    text: replies.descriptionQuestion(draft.equipment?.codigointerno ?? draft.equipment?.nombreequipo),
  }),
  priority: () => ({ text: replies.priorityQuestion(), buttons: replies.askPriority().buttons }),
  reportConfirmation: () => ({ text: replies.reportConfirmationQuestion(), buttons: confirmButtons }),
  observations: ({ task }) => ({ text: replies.observationsQuestion(task?.numeroot ?? '') }),
  minutes: () => ({ text: replies.minutesQuestion() }),
  completionConfirmation: ({ task }) => ({
    text: replies.completionConfirmationQuestion(task?.numeroot ?? ''),
    buttons: confirmButtons,
  }),
  technician: ({ task }) => ({
    text: replies.technicianQuestion(task?.numeroot ?? ''),
    ...(task?.technicians?.length
      ? { buttons: replies.chooseTechnician(task.numeroot, task.technicians).buttons }
      : {}),
  }),
  orderNumber: ({ asking }) => ({ text: replies.orderNumberQuestion(asking ?? null) }),
  eraseConfirmation: () => ({ text: replies.eraseConfirmationQuestion(), buttons: replies.askErase().buttons }),
} satisfies Record<string, QuestionOf>;
