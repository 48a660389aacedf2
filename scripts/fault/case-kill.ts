import { Redis } from 'ioredis';
import {
  audit,
  type CaseContext,
  type CaseResult,
  countOutcomes,
  formatCounts,
  gatewayEnv,
  type Sent,
} from './common.ts';
import { type Attempt, answered, deliver, mapLimit, postMessage, type WebMessage } from './http.ts';
import { killHard, OwnRedis, sleep, spawnGatewayRetrying } from './procs.ts';

const MESSAGES = 50;
/** A is killed once this many of the messages are claimed in Redis (most mid-turn), or after 3 s. */
const KILL_WHEN_CLAIMED = 40;
const KILL_AT_THE_LATEST_MS = 3000;

/**
 * a) kill -9 with messages in flight: 50 messages to gateway A, A killed mid-flight, every message
 * re-sent (same message_id) to gateway B on the same Redis, as a platform or client retries.
 */
export async function caseKillInFlight(ctx: CaseContext): Promise<CaseResult> {
  const redis = new OwnRedis(6460);
  await redis.start();
  const tag = `a${ctx.runId}`;
  const env = gatewayEnv(ctx, redis.url, `fault:${tag}:`);
  const [a, b] = await Promise.all([spawnGatewayRetrying(ctx.root, env), spawnGatewayRetrying(ctx.root, env)]);
  try {
    // Users of three kinds: a greeting; the equipment step of a failure report (a CMMS look-up in
    // the turn); a work-order status (starts a workflow).
    const messages: WebMessage[] = [];
    const staged: WebMessage[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const user_id = `${tag}-u${i}`;
      const kind = i % 3;
      if (kind === 1) staged.push({ user_id, message: 'reportar falla', message_id: `${tag}-s${i}` });
      const message = kind === 0 ? 'hola' : kind === 1 ? 'CAT-001' : 'consultar estado de OT-CORR-1';
      messages.push({ user_id, message, message_id: `${tag}-m${i}` });
    }
    const stagedOk = (await mapLimit(staged, 8, (m) => postMessage(a.url, m, 15_000))).filter(answered).length;

    const startedAt = Date.now();
    const onA = messages.map((m) => postMessage(a.url, m, 20_000));
    const claimed = await untilClaimed(redis.url, `fault:${tag}:*${tag}-m*`, startedAt + KILL_AT_THE_LATEST_MS);
    await killHard(a);
    const killedAfterMs = Date.now() - startedAt;
    const firstAttempts: Attempt[] = await Promise.all(onA);
    const answeredByA = firstAttempts.filter(answered).length;

    const retried = Date.now();
    const sent: Sent[] = await Promise.all(
      messages.map(async (message, i) => {
        const delivery = await deliver(() => b.url, message, { deadlineMs: 20_000, budgetMs: 60_000 });
        return {
          message,
          text: message.message!,
          offsetMs: 0,
          delivery: { attempts: [firstAttempts[i]!, ...delivery.attempts], final: delivery.final },
        };
      }),
    );
    const retrySeconds = (Date.now() - retried) / 1000;
    const result = await audit(sent, b.url);
    const onB = sent.map((s) => ({ ...s, delivery: { ...s.delivery, attempts: s.delivery.attempts.slice(1) } }));
    const duplicateFlag = sent.filter((s) => (s.delivery.final.body as { duplicate?: boolean })?.duplicate).length;
    return {
      id: 'a',
      title: 'kill -9 with 50 messages in flight, retried on B',
      headline: `${result.lostEmpty200} answered 200 without replies, ${result.lostNoAnswer} never answered`,
      lost: result.lost,
      duplicated: result.duplicated,
      hung: result.hungAttempts,
      figures: {
        staged_ok: `${stagedOk}/${staged.length}`,
        killed_after_ms: killedAfterMs,
        claimed_when_killed: claimed,
        answered_by_A_before_kill: answeredByA,
        first_attempts_on_A: formatCounts(countOutcomes(sent, 'first')),
        attempts_on_B: formatCounts(countOutcomes(onB, 'all')),
        final_answered_with_duplicate_flag: duplicateFlag,
        lost_empty_200: result.lostEmpty200,
        lost_never_answered: result.lostNoAnswer,
        lost_not_in_transcript: result.lostNotInTranscript,
        retry_phase_s: Number(retrySeconds.toFixed(1)),
        B_errors: formatCounts(errorCounts(b.counts)),
      },
      notes: result.examples,
    };
  } finally {
    await Promise.all([killHard(a), killHard(b)]);
    await redis.stop();
  }
}

/** The error-level messages a gateway logged, by message. */
export function errorCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).filter(([k]) => k.startsWith('error:') || k.startsWith('raw:')));
}

/** Polls Redis until `KILL_WHEN_CLAIMED` keys match `pattern` (message claims) or `giveUpAt`: the count seen. */
async function untilClaimed(url: string, pattern: string, giveUpAt: number): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let count = 0;
    while (Date.now() < giveUpAt) {
      count = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        count += keys.length;
      } while (cursor !== '0');
      if (count >= KILL_WHEN_CLAIMED) break;
      await sleep(5);
    }
    return count;
  } finally {
    redis.disconnect();
  }
}
