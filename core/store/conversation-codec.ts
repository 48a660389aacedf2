import { isRecord } from '../../lib/is-record.ts';
import { compactTime, timeOf } from './compact-time.ts';
import type { ConversationMeta } from './types.ts';

/**
 * How the Redis store keeps a conversation's snapshot and meta: with what the conversation id and
 * the defaults say left out, behind `~` (JSON never starts with it). Reading gives back the value as
 * written, keys in the same order, and reads plain JSON (earlier versions, or a value of another
 * shape) as it is: no migration.
 * Snapshot (a machine's persisted snapshot: `status`, `value`, `historyValue`, `context`, `children`
 * in that order): `status` 'active', `historyValue` {}, `children` {} and `context.conversationId`
 * (the conversation's own id, the context's first key) left out. Behind `^` instead, the context's
 * fields still at CONTEXT_TEMPLATE's values are left out too: short enough (≤ 64 bytes for an idle
 * conversation) for Redis to keep the conversation's hash as a listpack, 200 bytes instead of ~520.
 * Meta: `h` channel, `i` userId (each left out when the conversation id says it), `n` userName,
 * `m` machineVersion, `c`/`u` createdAt/updatedAt in epoch ms, `e` erasing.
 */

const MARK = '~';
/** The `~` form with the context's fields at CONTEXT_TEMPLATE's values left out. */
const TEMPLATE_MARK = '^';
type Json = Record<string, unknown>;

/**
 * The conversation machine's context as it starts (after `conversationId`), in its order, with the
 * values most conversations keep (`epoch`: never 0, always stored, here for its place). Frozen: a
 * stored `^` snapshot is read back with these values; another template needs another mark.
 */
const CONTEXT_TEMPLATE: readonly [string, string][] = [
  ['workflowTimeoutMs', '120000'],
  ['epoch', '0'],
  ['turn', '0'],
  ['pending', 'null'],
  ['draft', '{}'],
  ['candidates', '[]'],
  ['lookupQuery', '""'],
  ['linkedUserId', 'null'],
];
const TEMPLATE_SIZE = CONTEXT_TEMPLATE.length;

/**
 * The context without the fields at the template's values, when it starts with every template field
 * in the template's order (then reading puts each back in place); else undefined.
 */
function templated(context: Json, keys: string[]): Json | undefined {
  if (keys.length < TEMPLATE_SIZE || CONTEXT_TEMPLATE.some(([field], i) => keys[i] !== field)) return undefined;
  const differs = (field: string, i: number) =>
    i >= TEMPLATE_SIZE || JSON.stringify(context[field]) !== CONTEXT_TEMPLATE[i]![1];
  return Object.fromEntries(keys.filter(differs).map((field) => [field, context[field]]));
}

/** The template's fields in place (the stored values over theirs), then the others in stored order. */
const fromTemplate = (own: Json): Json => ({
  ...Object.fromEntries(CONTEXT_TEMPLATE.map(([field, value]) => [field, JSON.parse(value)])),
  ...own,
});

const isEmpty = (value: unknown) => isRecord(value) && Object.keys(value).length === 0;
const SNAPSHOT_KEYS = ['status', 'value', 'historyValue', 'context', 'children'];

export function encodeSnapshot(snapshot: unknown, conversationId: string): string {
  // Built only when the compact form does not apply (the compact one is the common case).
  const whole = () => JSON.stringify(snapshot) ?? 'null';
  if (!isRecord(snapshot)) return whole();
  // What JSON keeps (XState's persisted snapshot holds `output`/`error` keys set to undefined).
  const keys = Object.keys(snapshot).filter((key) => snapshot[key] !== undefined);
  const { status, historyValue, context, children, ...rest } = snapshot;
  const ordered = SNAPSHOT_KEYS.every((key, i) => keys[i] === key);
  if (!ordered || status !== 'active' || !isEmpty(historyValue) || !isEmpty(children)) return whole();
  if (!isRecord(context) || Object.keys(context)[0] !== 'conversationId') return whole();
  if (context.conversationId !== conversationId) return whole();
  const { conversationId: _, ...own } = context;
  const { value, ...others } = rest;
  // What JSON keeps of the context, in its order.
  const fields = Object.keys(own).filter((key) => own[key] !== undefined);
  const short = templated(own, fields);
  if (short) return TEMPLATE_MARK + JSON.stringify({ value, context: short, ...others });
  return MARK + JSON.stringify({ value, context: own, ...others });
}

export function decodeSnapshot(stored: string, conversationId: string): unknown {
  const mark = stored[0];
  if (mark !== MARK && mark !== TEMPLATE_MARK) return JSON.parse(stored);
  const { value, context, ...others } = JSON.parse(stored.slice(1)) as Json;
  const own = mark === TEMPLATE_MARK ? fromTemplate(context as Json) : (context as Json);
  return {
    status: 'active',
    value,
    historyValue: {},
    context: { conversationId, ...own },
    children: {},
    ...others,
  };
}

const META_KEYS = ['channel', 'userId', 'userName', 'machineVersion', 'createdAt', 'updatedAt', 'erasing'];

export function encodeMeta(meta: ConversationMeta, conversationId: string): string {
  const whole = () => JSON.stringify(meta);
  const keys = Object.keys(meta).filter((key) => (meta as unknown as Json)[key] !== undefined);
  // Only the fields this code knows, in the order it writes them.
  const order = keys.map((key) => META_KEYS.indexOf(key));
  if (order.some((at, i) => at < 0 || (i > 0 && at <= order[i - 1]!))) return whole();
  if (typeof meta.createdAt !== 'string' || typeof meta.updatedAt !== 'string') return whole();
  if (meta.erasing !== undefined && meta.erasing !== true) return whole();
  const split = conversationId.indexOf(':');
  const out: Json = {};
  if (meta.channel !== conversationId.slice(0, split) || split < 0) out.h = meta.channel;
  if (meta.userId !== conversationId.slice(split + 1) || split < 0) out.i = meta.userId;
  if (meta.userName !== undefined) out.n = meta.userName;
  out.m = meta.machineVersion;
  out.c = compactTime(meta.createdAt);
  out.u = compactTime(meta.updatedAt);
  if (meta.erasing) out.e = 1;
  return MARK + JSON.stringify(out);
}

export function decodeMeta(stored: string, conversationId: string): ConversationMeta {
  if (!stored.startsWith(MARK)) return JSON.parse(stored) as ConversationMeta;
  const raw = JSON.parse(stored.slice(1)) as Json;
  const split = conversationId.indexOf(':');
  const meta: Json = {
    channel: 'h' in raw ? raw.h : conversationId.slice(0, split),
    userId: 'i' in raw ? raw.i : conversationId.slice(split + 1),
  };
  if (raw.n !== undefined) meta.userName = raw.n;
  meta.machineVersion = raw.m;
  meta.createdAt = timeOf(raw.c);
  meta.updatedAt = timeOf(raw.u);
  if (raw.e) meta.erasing = true;
  return meta as unknown as ConversationMeta;
}
