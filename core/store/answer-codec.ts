import { isRecord } from '../../lib/is-record.ts';
import { missingText, type ReplyTexts, replyKey } from './reply-texts.ts';
import type { CommitChanges } from './types.ts';

/**
 * How the Redis store keeps a message id's whole answer: a turn's `{ replies, state, status }` as
 * `~[state, status, reply…]`, each fixed reply by reference (reply-texts.ts): `b<ref>` its text and
 * buttons, `t<ref>` its text alone; any other reply as it is. Short enough for Redis to keep the
 * replies hash compact (listpack). The lasting part of an answer, `[state, status]`, is `!<state>`
 * when both are the same, else `!<state>,<status>`; when every reply of the answer is a fixed text, the
 * lasting part holds them too, by reference: `!<state>[,<status>];<reply>;…` (`storedAnswerParts`).
 * Anything else is stored as JSON; JSON never starts with `~` or `!`.
 */

const MARK = '~';
const PAIR_MARK = '!';
const REPLY_SEPARATOR = ';';
const isPairPart = (value: unknown): value is string =>
  typeof value === 'string' && !value.includes(',') && !value.includes(REPLY_SEPARATOR);
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

const isPair = (result: unknown): result is [string, string] =>
  Array.isArray(result) && result.length === 2 && isPairPart(result[0]) && isPairPart(result[1]);
const encodePair = ([state, status]: [string, string]) => PAIR_MARK + (state === status ? state : `${state},${status}`);

/** A turn's answer `{ replies, state, status }` with its replies encoded, or undefined for any other value. */
function turnAnswer(result: unknown, texts: ReplyTexts) {
  if (!isRecord(result) || Object.keys(result).length !== 3) return undefined;
  const { replies, state, status } = result;
  if (!Array.isArray(replies) || typeof state !== 'string' || typeof status !== 'string') return undefined;
  return { state, status, replies: replies.map((reply) => encodeReply(reply, texts)) };
}

/** `result` as stored, its turn answer (`turnAnswer`) already read when it is one. */
function encodeWithTurn(result: unknown, answer: ReturnType<typeof turnAnswer>): string {
  if (isPair(result)) return encodePair(result);
  if (!answer) return JSON.stringify(result) ?? 'null';
  return MARK + JSON.stringify([answer.state, answer.status, ...answer.replies]);
}

export function encodeAnswer(result: unknown, texts: ReplyTexts): string {
  return encodeWithTurn(result, turnAnswer(result, texts));
}

/** A message id's answer as a store keeps it (`storedAnswerParts`). */
export interface StoredAnswerParts {
  /** Kept for the id's whole time (`ttlMs`). */
  lasting: string;
  /** Kept beside it for `forMs` only (then `lasting` answers), or null when `lasting` says all of it. */
  whole: { answer: string; forMs: number } | null;
}

/**
 * A message id's answer as a store keeps it: the whole answer for the id's whole time, unless its
 * `lasting` part (what a late redelivery still needs) is to be kept longer than the rest. A turn whose
 * replies are all fixed texts keeps their references (a few bytes each) in the lasting part: its
 * redelivery is answered with its replies all along, and nothing is kept beside it.
 */
export function storedAnswerParts(
  dedup: Pick<NonNullable<CommitChanges['dedup']>, 'result' | 'lasting' | 'ttlMs'>,
  texts: ReplyTexts,
): StoredAnswerParts {
  const { result, lasting, ttlMs } = dedup;
  if (!lasting || lasting.afterMs >= ttlMs) return { lasting: encodeAnswer(result, texts), whole: null };
  const answer = turnAnswer(result, texts);
  const byReference = answer?.replies.every((reply) => typeof reply === 'string');
  if (answer && byReference && isPair(lasting.result)) {
    const [state, status] = lasting.result;
    if (state === answer.state && status === answer.status) {
      return {
        lasting: [encodePair(lasting.result), ...(answer.replies as string[])].join(REPLY_SEPARATOR),
        whole: null,
      };
    }
  }
  return {
    lasting: encodeAnswer(lasting.result, texts),
    whole: { answer: encodeWithTurn(result, answer), forMs: lasting.afterMs },
  };
}

/** The text references an encoded answer holds (to look up those not known here before decoding). */
export function answerRefs(stored: string): string[] {
  if (stored.startsWith(PAIR_MARK)) {
    const [, ...replies] = stored.split(REPLY_SEPARATOR);
    return replies.map((reply) => reply.slice(1));
  }
  if (!stored.startsWith(MARK)) return [];
  const [, , ...replies] = JSON.parse(stored.slice(1)) as unknown[];
  return replies.flatMap((reply) => (typeof reply === 'string' ? [reply.slice(1)] : []));
}

/** A stored answer of either form as it was committed (a reference to an unknown text: a placeholder). */
export function decodeAnswer(stored: string, texts: ReplyTexts): unknown {
  if (stored.startsWith(PAIR_MARK)) {
    const [pair = '', ...replies] = stored.split(REPLY_SEPARATOR);
    const [state, status = state] = pair.slice(1).split(',');
    return replies.length === 0
      ? [state, status]
      : { replies: replies.map((reply) => decodeReply(reply, texts)), state, status };
  }
  if (!stored.startsWith(MARK)) return JSON.parse(stored);
  const [state, status, ...replies] = JSON.parse(stored.slice(1)) as unknown[];
  return { replies: replies.map((reply) => decodeReply(reply, texts)), state, status };
}

/** A reply as encodeReply wrote it: by reference (`b`: text and buttons, `t`: text) or as it is. */
function decodeReply(reply: unknown, texts: ReplyTexts): unknown {
  if (typeof reply !== 'string') return reply;
  const ref = reply.slice(1);
  const known = texts.textOf(ref);
  if (known === undefined) return { text: missingText(ref) };
  return reply.startsWith('b') ? (JSON.parse(known) as Json) : { text: known };
}
