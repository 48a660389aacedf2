import type { TranscriptEntry } from '../runtime/types.ts';
import { compactTime, timeOf } from './compact-time.ts';
import { missingText, type ReplyTexts, replyKey } from './reply-texts.ts';
import type { EventLogEntry } from './types.ts';

/**
 * How transcript lines and event-log entries are stored: compact JSON (short field names, times in
 * epoch ms, no conversation id — the key says it —, defaults left out, fixed reply texts by
 * reference, reply-texts.ts). Reading gives back the entry as written, and reads the earlier format
 * (whole entries) as it is: no migration. A field the codec does not know is kept under `x`.
 *
 * Transcript: `i`/`o` the text (in/out), or `ri`/`ro` its reference; `b` the buttons (or their
 * reference); `rr` the reference of a whole reply (out: text and buttons); `a` action, `m` messageId,
 * `g` agent, `k` kind, `t` at.
 * Event log: `t` at, `e` the event (`E`: stored whole), `b` stateBefore (absent: null), `s` stateAfter
 * (absent: as before), `v` version, `c` channel (absent: the conversation id's channel; 0: none),
 * `m` machineVersion, `n` invocations.
 */

type Json = Record<string, unknown>;

/** The channel part of a conversation id (`web:u1` → `web`). */
const channelOf = (conversationId: string) => conversationId.slice(0, Math.max(0, conversationId.indexOf(':')));

const TRANSCRIPT_SHORT: Record<string, string> = { action: 'a', messageId: 'm', kind: 'k', agent: 'g' };
const TRANSCRIPT_OWN = new Set(['conversationId', 'direction', 'text', 'buttons', 'at']);

export function encodeTranscript(entry: TranscriptEntry, conversationId: string, texts?: ReplyTexts): string {
  if (entry.direction !== 'in' && entry.direction !== 'out') return JSON.stringify(entry);
  const out: Json = {};
  const dir = entry.direction === 'in' ? 'i' : 'o';
  const whole = entry.buttons && dir === 'o' ? texts?.refOf(replyKey(entry.text, entry.buttons)) : undefined;
  const ref = whole ? undefined : texts?.refOf(entry.text);
  if (whole) out.rr = whole;
  else if (ref) out[`r${dir}`] = ref;
  else out[dir] = entry.text;
  if (entry.buttons !== undefined && !whole) out.b = texts?.refOf(JSON.stringify(entry.buttons)) ?? entry.buttons;
  // Another conversation's id (never written so) stays.
  const extra: Json = entry.conversationId === conversationId ? {} : { conversationId: entry.conversationId };
  for (const [field, value] of Object.entries(entry)) {
    if (value === undefined || TRANSCRIPT_OWN.has(field)) continue;
    if (TRANSCRIPT_SHORT[field]) out[TRANSCRIPT_SHORT[field]] = value;
    else extra[field] = value;
  }
  if (Object.keys(extra).length > 0) out.x = extra;
  out.t = compactTime(entry.at);
  return JSON.stringify(out);
}

/** A stored transcript line of either format, as the entry (a reference to an unknown text: a placeholder). */
export function decodeTranscript(line: string, conversationId: string, texts?: ReplyTexts): TranscriptEntry {
  const raw = JSON.parse(line) as Json;
  if ('direction' in raw) return raw as unknown as TranscriptEntry;
  const ref = (raw.ri ?? raw.ro ?? raw.rr) as string | undefined;
  const known = ref === undefined ? undefined : texts?.textOf(ref);
  const reply = raw.rr !== undefined && known !== undefined ? (JSON.parse(known) as Json) : undefined;
  const entry: Json = {
    conversationId,
    direction: 'i' in raw || 'ri' in raw ? 'in' : 'out',
    text: ref === undefined ? (raw.i ?? raw.o) : reply ? reply.text : (known ?? missingText(ref)),
  };
  const buttons = reply ? reply.buttons : typeof raw.b === 'string' ? texts?.textOf(raw.b) : raw.b;
  if (typeof buttons === 'string') entry.buttons = JSON.parse(buttons);
  else if (buttons !== undefined) entry.buttons = buttons;
  if (raw.a !== undefined) entry.action = raw.a;
  if (raw.m !== undefined) entry.messageId = raw.m;
  if (raw.k !== undefined) entry.kind = raw.k;
  if (raw.g !== undefined) entry.agent = raw.g;
  if (raw.x && typeof raw.x === 'object') Object.assign(entry, raw.x);
  entry.at = timeOf(raw.t);
  return entry as unknown as TranscriptEntry;
}

/** The text references a stored line holds (to look up those not known here before decoding). */
export function lineRefs(line: string): string[] {
  const raw = JSON.parse(line) as Json;
  if ('direction' in raw || 'event' in raw) return [];
  return [raw.ri, raw.ro, raw.rr, raw.b].filter((ref): ref is string => typeof ref === 'string');
}

/** Event types by number (never reorder: stored entries name them so; a new type goes at the end). */
const EVENT_TYPES = [
  'user.message',
  'workflow.result',
  'workflow.timeout',
  'agent.message',
  'order.changed',
  'agent.release',
  'handoff.expire',
  'identity.linked',
  'identity.unlinked',
  'delivery.status',
];
/** Event fields stored under a short name (the others keep theirs); `y` is the type, `t` the ms before the entry's time. */
const EVENT_SHORT: Record<string, string> = {
  text: 'x',
  action: 'a',
  channel: 'c',
  hasAttachments: 'h',
  userName: 'n',
  identity: 'i',
  identityPolicy: 'p',
};
const EVENT_LONG: Record<string, string> = Object.fromEntries(Object.entries(EVENT_SHORT).map(([l, s]) => [s, l]));
/** An event with a field named like a short one is stored whole. */
const SHORT_NAMES = new Set(['y', 't', 'u', ...Object.keys(EVENT_LONG)]);
/** A user's message as the runtime builds it (userMessageEvent): its decoded fields in this order. */
const MESSAGE_ORDER = [
  'type',
  'text',
  'action',
  'at',
  'channel',
  'hasAttachments',
  'userName',
  'identity',
  'identityPolicy',
  'understood',
];
/** The identity policy of a user's message unless it says another (IDENTITY_REQUIRED's default). */
const DEFAULT_POLICY = 'report';
const BY = ['menu', 'rules', 'classifier'];
const UNDERSTOOD_FIELDS = new Set(['intent', 'by', 'score', 'slots']);

/** `understood` in short form: its intent alone when read as a menu command with no values. */
function compactUnderstood(value: unknown): Json | string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const u = value as Json;
  if (typeof u.intent !== 'string' || !u.slots || typeof u.slots !== 'object' || Array.isArray(u.slots))
    return undefined;
  if (Object.keys(u).some((field) => !UNDERSTOOD_FIELDS.has(field))) return undefined;
  const by = BY.indexOf(u.by as string);
  const slots = Object.keys(u.slots).length > 0;
  if (by === 0 && u.score === undefined && !slots) return u.intent;
  return {
    i: u.intent,
    b: by >= 0 ? by : u.by,
    ...(u.score !== undefined ? { s: u.score } : {}),
    ...(slots ? { l: u.slots } : {}),
  };
}
const expandUnderstood = (u: Json | string): Json =>
  typeof u === 'string'
    ? { intent: u, by: BY[0], slots: {} }
    : {
        intent: u.i,
        by: typeof u.b === 'number' ? BY[u.b] : u.b,
        ...(u.s !== undefined ? { score: u.s } : {}),
        slots: u.l ?? {},
      };

/**
 * The event in short form, or undefined (stored whole). A user's message with its `channel`,
 * `identity` and `identityPolicy` has no type (`y`) and leaves out their defaults (the entry's
 * channel, null, `report`); any other user's message keeps its type's name.
 */
function compactEvent(event: Json, channel: string | undefined, at: number | string): Json | undefined {
  if (typeof event.type !== 'string' || Object.keys(event).some((field) => SHORT_NAMES.has(field))) return undefined;
  const typeIndex = EVENT_TYPES.indexOf(event.type as string);
  const defaults =
    typeIndex === 0 &&
    channel !== undefined &&
    [event.channel, event.identity, event.identityPolicy].every((value) => value !== undefined);
  const out: Json = {};
  for (const [field, value] of Object.entries(event)) {
    if (value === undefined) continue;
    if (field === 'type') {
      if (!defaults) out.y = typeIndex > 0 ? typeIndex : value;
    } else if (field === 'at' && typeof at === 'number' && Number.isSafeInteger(value)) out.t = at - (value as number);
    else if (defaults && field === 'channel' && value === channel) continue;
    else if (defaults && field === 'identity' && value === null) continue;
    else if (defaults && field === 'identityPolicy' && value === DEFAULT_POLICY) continue;
    else if (field === 'understood') {
      const short = compactUnderstood(value);
      if (short) out.u = short;
      else out[field] = value;
    } else out[EVENT_SHORT[field] ?? field] = value;
  }
  return out;
}

function expandEvent(e: Json, channel: string | undefined, at: unknown): Json {
  const event: Json = {};
  for (const [field, value] of Object.entries(e)) {
    if (field === 'y') event.type = typeof value === 'number' ? EVENT_TYPES[value] : value;
    else if (field === 't') event.at = (at as number) - (value as number);
    else if (field === 'u') event.understood = expandUnderstood(value as Json | string);
    else event[EVENT_LONG[field] ?? field] = value;
  }
  if ('y' in e) return event;
  event.type = EVENT_TYPES[0];
  if (!('c' in e)) event.channel = channel;
  if (!('i' in e)) event.identity = null;
  if (!('p' in e)) event.identityPolicy = DEFAULT_POLICY;
  const ordered: Json = {};
  for (const field of MESSAGE_ORDER) if (field in event) ordered[field] = event[field];
  return Object.assign(ordered, event);
}

const EVENT_OWN = new Set([
  'at',
  'event',
  'stateBefore',
  'stateAfter',
  'version',
  'channel',
  'machineVersion',
  'invocations',
]);

export function encodeEvent(entry: EventLogEntry, conversationId: string): string {
  const t = compactTime(entry.at);
  const out: Json = { t };
  const event = compactEvent(entry.event, entry.channel, t);
  if (event) out.e = event;
  else out.E = entry.event;
  if (entry.stateBefore !== null) out.b = entry.stateBefore;
  if (entry.stateAfter !== entry.stateBefore || entry.stateBefore === null) out.s = entry.stateAfter;
  out.v = entry.version;
  if (entry.channel === undefined) out.c = 0;
  else if (entry.channel !== channelOf(conversationId)) out.c = entry.channel;
  if (entry.machineVersion !== undefined) out.m = entry.machineVersion;
  if (entry.invocations !== undefined) out.n = entry.invocations;
  const extra = Object.entries(entry).filter(([field, value]) => value !== undefined && !EVENT_OWN.has(field));
  if (extra.length > 0) out.x = Object.fromEntries(extra);
  return JSON.stringify(out);
}

/** A stored event-log line of either format, as the entry. */
export function decodeEvent(line: string, conversationId: string): EventLogEntry {
  const raw = JSON.parse(line) as Json;
  if ('event' in raw) return raw as unknown as EventLogEntry;
  const at = timeOf(raw.t);
  const channel = raw.c === 0 ? undefined : ((raw.c as string | undefined) ?? channelOf(conversationId));
  const stateBefore = (raw.b as string | undefined) ?? null;
  const entry: Json = {
    at,
    event: raw.E ?? expandEvent(raw.e as Json, channel, raw.t),
    stateBefore,
    stateAfter: 's' in raw ? raw.s : stateBefore,
    version: raw.v,
  };
  if (channel !== undefined) entry.channel = channel;
  if (raw.m !== undefined) entry.machineVersion = raw.m;
  if (raw.n !== undefined) entry.invocations = raw.n;
  if (raw.x && typeof raw.x === 'object') Object.assign(entry, raw.x);
  return entry as unknown as EventLogEntry;
}
