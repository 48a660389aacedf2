import {
  type Attempt,
  answered,
  type Delivery,
  deliver,
  mapLimit,
  readTranscript,
  type WebAnswer,
  type WebMessage,
} from './http.ts';
import { sleep } from './procs.ts';

export const SESSION_SECRET = 'fault-session-secret-0123456789abcdef';
export const CALLBACK_SECRET = 'fault-callback-secret-0123456789abcdef';
export const ADMIN_TOKEN = 'fault-admin-token-0123456789abcdef';

export interface CaseContext {
  /** The checkout whose `main.ts` is spawned. */
  root: string;
  /** Unique per run: key prefixes and user ids carry it. */
  runId: string;
  /** Extra variables for every gateway (e.g. generous rate limits for this load). */
  extraEnv: Record<string, string>;
}

export interface CaseResult {
  id: string;
  title: string;
  lost: number;
  duplicated: number;
  hung: number;
  /** The figure that tells the story, for the table. */
  headline: string;
  /** Everything else measured, by name. */
  figures: Record<string, number | string>;
  notes: string[];
}

/** The variables every gateway of a case shares (one Redis, one prefix, one secret). */
export function gatewayEnv(
  ctx: CaseContext,
  redisUrl: string | undefined,
  prefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix } : {}),
    SESSION_SECRET,
    CALLBACK_SECRET,
    ADMIN_TOKEN,
    // One loopback client plays every user here: the per-address limit (where there is one) is off;
    // per-conversation limits stay.
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0',
    // The traffic reports failures as unlinked users: through the service account.
    IDENTITY_REQUIRED: 'none',
    ...ctx.extraEnv,
    ...extra,
  };
}

export interface Sent {
  message: WebMessage;
  text: string;
  /** ms since the traffic began. */
  offsetMs: number;
  delivery: Delivery;
}

/**
 * Open-loop traffic: `rate` messages per second for `durationMs`, each retried (same `message_id`)
 * until a final answer within `budgetMs`. Users cycle, each sending every text once.
 */
export async function openLoop(opts: {
  url: () => string;
  tag: string;
  users: number;
  texts: string[];
  rate: number;
  durationMs: number;
  deadlineMs: number;
  budgetMs: number;
  /** false: one attempt only. */
  retry?: boolean;
}): Promise<Sent[]> {
  const gcd = (x: number, y: number): number => (y ? gcd(y, x % y) : x);
  if (gcd(opts.users + 1, opts.texts.length) !== 1)
    throw new Error('openLoop: users + 1 and texts.length must be coprime');
  const total = Math.min(Math.round((opts.rate * opts.durationMs) / 1000), opts.users * opts.texts.length);
  const startedAt = Date.now();
  const pending: Promise<Sent>[] = [];
  for (let i = 0; i < total; i++) {
    const due = startedAt + (i * 1000) / opts.rate;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    // Neighbouring messages differ in text; user u's round r sends texts[(u + r * (users + 1)) % n],
    // each text once per user while users + 1 and n have no common factor.
    const text = opts.texts[(i + Math.floor(i / opts.users)) % opts.texts.length]!;
    const message: WebMessage = {
      user_id: `${opts.tag}-u${i % opts.users}`,
      message: text,
      message_id: `${opts.tag}-m${i}`,
    };
    const offsetMs = Date.now() - startedAt;
    pending.push(
      deliver(opts.url, message, {
        deadlineMs: opts.deadlineMs,
        budgetMs: opts.retry === false ? 0 : opts.budgetMs,
      }).then((delivery) => ({ message, text, offsetMs, delivery })),
    );
  }
  return Promise.all(pending);
}

export interface Audit {
  /** Messages without a real answer after retries, or missing from the transcript. */
  lost: number;
  lostNoAnswer: number;
  lostEmpty200: number;
  lostNotInTranscript: number;
  /** Extra copies of an inbound message in transcripts. */
  duplicated: number;
  /** Attempts that got no answer within their deadline. */
  hungAttempts: number;
  /** Messages whose every attempt hung (never answered). */
  hungMessages: number;
  unreadableTranscripts: number;
  examples: string[];
}

/** Checks every sent message against its answers and its user's transcript (read through `url`). */
export async function audit(sent: Sent[], url: string): Promise<Audit> {
  await sleep(500);
  const result: Audit = {
    lost: 0,
    lostNoAnswer: 0,
    lostEmpty200: 0,
    lostNotInTranscript: 0,
    duplicated: 0,
    hungAttempts: 0,
    hungMessages: 0,
    unreadableTranscripts: 0,
    examples: [],
  };
  const byUser = new Map<string, Sent[]>();
  for (const item of sent) {
    const list = byUser.get(item.message.user_id) ?? [];
    list.push(item);
    byUser.set(item.message.user_id, list);
    const hung = item.delivery.attempts.filter((a) => a.error === 'hung').length;
    result.hungAttempts += hung;
    if (hung === item.delivery.attempts.length) result.hungMessages++;
  }
  await mapLimit([...byUser.entries()], 16, async ([userId, items]) => {
    const conversationId =
      items.map((i) => (i.delivery.final.body as { conversation_id?: string } | null)?.conversation_id).find(Boolean) ??
      `web:${userId}`;
    const transcript = await readTranscript(url, conversationId, ADMIN_TOKEN);
    if (!transcript) result.unreadableTranscripts++;
    for (const item of items) {
      const copies = transcript?.filter((e) => e.direction === 'in' && e.text === item.text).length ?? 0;
      const note = (why: string) => {
        if (result.examples.length < 8) {
          const last = item.delivery.final;
          result.examples.push(
            `${item.message.message_id} "${item.text}": ${why}; ${item.delivery.attempts.length} attempt(s), last ${describe(last)}`,
          );
        }
      };
      if (!answered(item.delivery.final)) {
        result.lost++;
        if (item.delivery.final.status === 200) {
          result.lostEmpty200++;
          note('200 without replies');
        } else {
          result.lostNoAnswer++;
          note('never answered');
        }
      } else if (transcript && copies === 0) {
        result.lost++;
        result.lostNotInTranscript++;
        note('answered but missing from the transcript');
      }
      if (copies > 1) {
        result.duplicated += copies - 1;
        note(`in the transcript ${copies} times`);
      }
    }
  });
  return result;
}

/** An attempt in a few words (no tokens): status, replies, flags, or the error. */
export function describe(attempt: Attempt): string {
  if (attempt.status === 0) return `${attempt.error} after ${attempt.ms} ms`;
  const body = attempt.body as WebAnswer | null;
  if (typeof body !== 'object' || body === null) return `${attempt.status} ${String(body).slice(0, 80)}`;
  const facts = [
    Array.isArray(body.replies) ? `${body.replies.length} replies` : JSON.stringify(body).slice(0, 120),
    body.status ? `status ${body.status}` : '',
    body.duplicate ? 'duplicate' : '',
    attempt.retryAfter !== null ? `Retry-After ${attempt.retryAfter}` : '',
  ];
  return `${attempt.status} ${facts.filter(Boolean).join(', ')} after ${attempt.ms} ms`;
}

/** Up to `n` attempts with a socket error (reset…), when each was sent relative to `zeroAt` and how long it took. */
export function socketErrors(sent: Sent[], zeroAt: number, n = 5): string[] {
  const found: string[] = [];
  for (const item of sent) {
    item.delivery.attempts.forEach((a, index) => {
      if (a.status === 0 && a.error !== 'hung' && a.error !== 'refused' && found.length < n) {
        found.push(
          `${item.message.message_id} attempt ${index + 1}: ${a.error} ${a.ms} ms after being sent at ${a.sentAt - zeroAt} ms`,
        );
      }
    });
  }
  return found;
}

/** Counts attempts by a short outcome label: "200", "503+RA", "503", "500", "reset", "hung"… */
export function countOutcomes(sent: Sent[], which: 'first' | 'all'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of sent) {
    const attempts = which === 'first' ? item.delivery.attempts.slice(0, 1) : item.delivery.attempts;
    for (const a of attempts) {
      const label = a.status === 0 ? (a.error ?? 'error') : `${a.status}${a.retryAfter !== null ? '+RA' : ''}`;
      counts[label] = (counts[label] ?? 0) + 1;
    }
  }
  return counts;
}

/** `{200: 3, "503+RA": 2}` as "200:3 503+RA:2". */
export function formatCounts(counts: Record<string, number>): string {
  return (
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}:${v}`)
      .join(' ') || '-'
  );
}

export { answered };
