import type { ConversationEvent } from '../../core/runtime/model.ts';
import type { DagId } from '../../workflows/catalog.ts';
import { asksStatus, isClearCommand, orderAnswer } from '../commands.ts';
import {
  findWorkOrderNumber,
  normalize,
  parseConfirmation,
  parseMinutes,
  pickedNumber,
  technicianAnswer,
} from '../intents.ts';
import { OBSERVATIONS_MIN_LENGTH } from '../replies.ts';
import { linkNeeded, roleGroup } from '../roles.ts';
import { words } from '../words.ts';
import { identityOf, policyOf } from './identity.ts';
import { INFO_TOPICS, intentOf, TOPIC_CHANGES, typedText, userText } from './messages.ts';
import type { ConversationContext } from './types.ts';

/** The guards of the orders' questions, of the commands typed during a form and of a kept link request. */

type Args = { context: ConversationContext; event: ConversationEvent };

/** The run that answers a question for information: a status check with its number, a list. */
export function infoRun(event: ConversationEvent): { dagId: DagId; params: Record<string, unknown> } | undefined {
  const numeroot = intentOf(event).workOrder ?? findWorkOrderNumber(userText(event));
  const { intent } = intentOf(event);
  if (numeroot && !TOPIC_CHANGES.includes(intent)) return { dagId: 'consultar_estado_ot', params: { numeroot } };
  if (intent === 'list_equipment') return { dagId: 'listar_equipos', params: {} };
  if (intent === 'pending_work_orders') return { dagId: 'listar_ot_pendientes', params: {} };
  return undefined;
}

/** The number picked from the offered technicians, 1-based (undefined when the message is no number). */
const picked = ({ context, event }: Args) =>
  context.task?.technicians?.length ? pickedNumber(typedText(event)) : undefined;

export const orderGuards = {
  // The order a technician completes or a supervisor assigns.
  namesOrder: ({ event }: Args) => intentOf(event).workOrder !== undefined,
  namesTechnician: ({ event }: Args) => !!intentOf(event).technician,
  isTechnician: ({ event }: Args) => roleGroup(identityOf(event)?.role ?? '') === 'technician',
  observationsTooShort: ({ event }: Args) => [...userText(event).trim()].length < OBSERVATIONS_MIN_LENGTH,
  isMinutes: ({ event }: Args) => parseMinutes(userText(event)) !== undefined,
  isTechnicianChoice: ({ context, event }: Args) =>
    event.type === 'user.message' && !!context.task?.technicians?.some((t) => event.action === `technician:${t.id}`),
  /** "3" while technicians are offered: the third one (`isPickedNumber`: any number, in range or not). */
  isTechnicianNumber: (args: Args) => {
    const n = picked(args);
    return n !== undefined && n >= 1 && n <= (args.context.task?.technicians?.length ?? 0);
  },
  isPickedNumber: (args: Args) => picked(args) !== undefined,
  hasTechnicianAnswer: ({ event }: Args) => technicianAnswer(userText(event)) !== '',
  // The answer to "¿Qué orden…?" (a status check's, or an action's with `asking`).
  isOrderAnswer: ({ event }: Args) => orderAnswer(typedText(event)) !== undefined,
  isAskingAction: ({ context }: Args) => !!context.asking,
  asksStatus: ({ event }: Args) => asksStatus(typedText(event)),
  /** A clear command typed while a form waits for free text (see commands.ts). */
  isCommand: ({ event }: Args) => typedText(event) !== '' && isClearCommand(typedText(event), intentOf(event)),
  /** "sí", "ok", "no" with nothing asked. */
  isStrayAnswer: ({ event }: Args) =>
    parseConfirmation(typedText(event)) !== undefined && words(normalize(typedText(event))).length <= 3,
  // While a link is awaited: another action drops the request; a question for information keeps it.
  isOtherAction: ({ event }: Args) => {
    const { intent, sure } = intentOf(event);
    return sure && TOPIC_CHANGES.includes(intent) && !INFO_TOPICS.includes(intent) && intent !== 'link';
  },
  isInfoRun: ({ event }: Args) => {
    const run = infoRun(event);
    const hasNumber = run?.dagId === 'consultar_estado_ot';
    return !!run && !linkNeeded(intentOf(event).intent, hasNumber, policyOf(event));
  },
  /** This link was already announced or acted on (a message carried it before its `identity.linked` turn). */
  linkAnnounced: ({ context, event }: Args) =>
    event.type === 'identity.linked' && context.linkedAnnounced === event.identity.linkedAt,
  /** The link request is kept while a question for information is answered (`linked`: the user linked meanwhile). */
  linkParked: ({ context }: Args, params?: { linked?: boolean; run?: boolean }) =>
    !!context.link?.parked &&
    (!params?.linked || !!context.link.linked) &&
    (!params?.run || context.link.resume?.kind === 'run'),
};
