import { isRecord } from '../../lib/is-record.ts';
import { missingText, type ReplyTexts, replyKey } from './reply-texts.ts';

/**
 * How the Redis store keeps a message id's whole answer: a turn's `{ replies, state, status }` as
 * `~[state, status, reply…]`, each fixed reply by reference (reply-texts.ts): `b<ref>` its text and
 * buttons, `t<ref>` its text alone; any other reply as it is. Short enough for Redis to keep the
 * replies hash compact (listpack). The lasting part of an answer, `[state, status]`, is `!<state>`
 * when both are the same, else `!<state>,<status>`. Anything else is stored as JSON; JSON never
 * starts with `~` or `!`.
 */

const MARK = '~';
const PAIR_MARK = '!';
const isPairPart = (value: unknown): value is string => typeof value === 'string' && !value.includes(',');
type Json = Record<string, unknown>;

function encodeReply(reply: unknown, texts: ReplyTexts): unknown {
  if (!isRecord(reply) || typeof reply.text !== 'string') return reply;
  const fields = Object.keys(reply);
  if (fields.length === 1) {
    const ref = texts.refOf(reply.text);
    return ref ? `t${ref}` : reply;
  }
  if (fields.length !== 2 || !Array.isArray(reply.buttons)) return reply;
  const ref = texts.refOf(replyKey(reply.text, reply.buttons));
  return ref ? `b${ref}` : reply;
}

export function encodeAnswer(result: unknown, texts: ReplyTexts): string {
  if (Array.isArray(result) && result.length === 2 && isPairPart(result[0]) && isPairPart(result[1])) {
    const [state, status] = result;
    return PAIR_MARK + (state === status ? state : `${state},${status}`);
  }
  const whole = () => JSON.stringify(result) ?? 'null';
  if (!isRecord(result) || Object.keys(result).length !== 3) return whole();
  const { replies, state, status } = result;
  if (!Array.isArray(replies) || typeof state !== 'string' || typeof status !== 'string') return whole();
  return MARK + JSON.stringify([state, status, ...replies.map((reply) => encodeReply(reply, texts))]);
}

/** The text references an encoded answer holds (to look up those not known here before decoding). */
export function answerRefs(stored: string): string[] {
  if (!stored.startsWith(MARK)) return [];
  const [, , ...replies] = JSON.parse(stored.slice(1)) as unknown[];
  return replies.flatMap((reply) => (typeof reply === 'string' ? [reply.slice(1)] : []));
}

/** A stored answer of either form as it was committed (a reference to an unknown text: a placeholder). */
export function decodeAnswer(stored: string, texts: ReplyTexts): unknown {
  if (stored.startsWith(PAIR_MARK)) {
    const [state, status = state] = stored.slice(1).split(',');
    return [state, status];
  }
  if (!stored.startsWith(MARK)) return JSON.parse(stored);
  const [state, status, ...replies] = JSON.parse(stored.slice(1)) as unknown[];
  const decoded = replies.map((reply) => {
    if (typeof reply !== 'string') return reply;
    const ref = reply.slice(1);
    const known = texts.textOf(ref);
    if (known === undefined) return { text: missingText(ref) };
    return reply.startsWith('b') ? (JSON.parse(known) as Json) : { text: known };
  });
  return { replies: decoded, state, status };
}
