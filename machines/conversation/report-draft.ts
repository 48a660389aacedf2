import type { ConversationEvent, MessageSlots } from '../../core/runtime/model.ts';
import { extractSlots } from '../../language/slots/index.ts';
import { type Priority, parsePriority } from '../intents.ts';
import { DESCRIPTION_MIN_LENGTH } from '../report-replies.ts';
import { readablePart } from '../understanding.ts';
import { slotsOf, typedText, userText } from './messages.ts';
import type { ConversationContext, ReportDraft } from './types.ts';

/**
 * What a message gives the failure report, at any step: the equipment it names (looked up), the
 * symptom and the priority (kept in the draft). "la excavadora CAT-002 tiene una fuga de aceite,
 * urgente" fills all three; the report then asks only for what is still missing.
 */

type Args = { context: ConversationContext; event: ConversationEvent };

const longEnough = (text: string) => [...text.trim()].length >= DESCRIPTION_MIN_LENGTH;

const reportSlots = new WeakMap<ConversationEvent, MessageSlots>();

/**
 * The report's slots of a message: the understanding's; when it kept none of them (it read the text
 * as another intent, as if nothing were asked: "al tiro", "la CAT-002"), the text's own, read without
 * the catalog (codes by their shape, the symptom, the priority).
 */
function slotsFor(event: ConversationEvent): MessageSlots {
  let slots = reportSlots.get(event);
  if (!slots) {
    const understood = slotsOf(event);
    const text = typedText(event);
    const kept = understood.equipment || understood.description || understood.priority;
    slots = kept || !text ? understood : { ...extractSlots(readablePart(text), null), ...understood };
    reportSlots.set(event, slots);
  }
  return slots;
}

/** The equipment lookup for a message that names one: its code (or words) and the catalog codes it matched. */
export function equipmentNamed(event: ConversationEvent): { query: string; codes: string[] } | undefined {
  const equipment = slotsFor(event).equipment;
  if (!equipment) return undefined;
  return { query: equipment.code ?? equipment.mention, codes: equipment.codes };
}

/**
 * The symptom a message names: its description (without the equipment, the priority and the request
 * words); when that is shorter than the CMMS takes ("no parte"), the whole message if it is long enough.
 */
function symptomOf(event: ConversationEvent): string | undefined {
  const symptom = slotsFor(event).description?.trim();
  if (!symptom) return undefined;
  if (longEnough(symptom)) return symptom;
  const whole = userText(event).trim();
  return longEnough(whole) ? whole : undefined;
}

/** The answer to "Describe la falla": the symptom the message names, else all it says. */
export const descriptionAnswer = (event: ConversationEvent): string => symptomOf(event) ?? userText(event).trim();

/** The answer to the priority question: the priority the message names, or 1–4 and the buttons. */
export const priorityAnswer = (event: ConversationEvent): Priority | undefined =>
  slotsFor(event).priority ?? parsePriority(userText(event));

/**
 * The draft with what a message said besides the step's own answer: its symptom and its priority;
 * what the draft had stays unless the message says it anew.
 */
export function withSaid(draft: ReportDraft, event: ConversationEvent): ReportDraft {
  const description = symptomOf(event);
  const { priority } = slotsFor(event);
  return { ...draft, ...(description ? { description } : {}), ...(priority ? { priority } : {}) };
}

/** The context change that looks up the equipment a message names (or, without a mention, all it says). */
export function lookupFor(event: ConversationEvent): Pick<ConversationContext, 'lookupQuery' | 'lookupCodes'> {
  const named = equipmentNamed(event);
  return named
    ? { lookupQuery: named.query, lookupCodes: named.codes }
    : { lookupQuery: userText(event).trim(), lookupCodes: [] };
}

export const reportGuards = {
  namesEquipment: ({ event }: Args) => equipmentNamed(event) !== undefined,
  // Counted in characters, as the catalog's parameter rule counts them (an emoji is one).
  descriptionTooShort: ({ event }: Args) => !longEnough(descriptionAnswer(event)),
  isPriority: ({ event }: Args) => priorityAnswer(event) !== undefined,
  // What the draft still lacks, in the order the report asks for it.
  lacksEquipment: ({ context }: Args) => !context.draft.equipment,
  lacksDescription: ({ context }: Args) => !context.draft.description,
  lacksPriority: ({ context }: Args) => !context.draft.priority,
};
