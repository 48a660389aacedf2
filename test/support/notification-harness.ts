import { HARNESS_START, type HarnessOptions, MINUTE, notifiedConversation } from './machine-harness.ts';

/** What the first notice of a chat adds: how to stop them. */
export const NOTICE_HINT = 'Si no quieres recibir estos avisos, escribe "no quiero notificaciones".';

/** `minutes` after the harness's clock started. */
export const afterStart = (minutes: number) => HARNESS_START + minutes * MINUTE;

/** `notifiedConversation` whose OT-CORR-1 changes name Juan Pérez (user 7) before and after by id too. */
export const notifiedConversationByIds = (opts: HarnessOptions = {}) =>
  notifiedConversation(opts, { previousTechnicianId: 7 });
