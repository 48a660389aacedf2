import { errorCounts } from './case-kill.ts';
import { exitState } from './case-redis.ts';
import {
  ADMIN_TOKEN,
  audit,
  type CaseContext,
  type CaseResult,
  countOutcomes,
  formatCounts,
  gatewayEnv,
  openLoop,
  type Sent,
} from './common.ts';
import { answered, deliver, mapLimit, readTranscript, retryable } from './http.ts';
import { killHard, OwnRedis, sleep, spawnGatewayRetrying } from './procs.ts';

const GRACE_MS = 3000;
const STATUS_TEXT = 'consultar estado de OT-CORR-1';

/**
 * e) SIGTERM (SHUTDOWN_GRACE_MS=3000) during 100 msg/s, half of them starting a workflow: how long
 * the exit takes, requests sent after SIGTERM that were still processed, requests that failed with
 * 500 or a reset, and workflows accepted before SIGTERM whose answer never reached the transcript.
 */
export async function caseSigterm(ctx: CaseContext): Promise<CaseResult> {
  const redis = new OwnRedis(6464);
  await redis.start();
  const tag = `e${ctx.runId}`;
  const env = gatewayEnv(ctx, redis.url, `fault:${tag}:`, { SHUTDOWN_GRACE_MS: String(GRACE_MS) });
  const gateway = await spawnGatewayRetrying(ctx.root, env);
  let checker: Awaited<ReturnType<typeof spawnGatewayRetrying>> | undefined;
  try {
    const traffic = openLoop({
      url: () => gateway.url,
      tag,
      users: 250,
      texts: ['hola', STATUS_TEXT],
      rate: 100,
      durationMs: 5000,
      deadlineMs: 15_000,
      budgetMs: 0,
      retry: false,
    });
    await sleep(2000);
    const sigtermAt = Date.now();
    gateway.child.kill('SIGTERM');
    const readyz = await fetchStatus(`${gateway.url}/readyz`);
    const sent = await traffic;
    const exit = await Promise.race([gateway.exited, sleep(30_000).then(() => null)]);
    const exitMs = exit ? exit.at - sigtermAt : Number.NaN;

    const before: Record<string, number> = {};
    const after: Record<string, number> = {};
    let processedAfter = 0;
    let processedAfterLogged = 0;
    let failed = 0;
    let hung = 0;
    const failures: string[] = [];
    for (const item of sent) {
      const a = item.delivery.final;
      const label = a.status === 0 ? (a.error ?? 'error') : `${a.status}${a.retryAfter !== null ? '+RA' : ''}`;
      const isAfter = a.sentAt >= sigtermAt;
      const bucket = isAfter ? after : before;
      bucket[label] = (bucket[label] ?? 0) + 1;
      if (isAfter && answered(a)) processedAfter++;
      if (a.sentAt >= (gateway.firstSeen['shutting down'] ?? Number.POSITIVE_INFINITY) && answered(a)) {
        processedAfterLogged++;
      }
      if (a.status === 500 || a.error === 'reset') {
        failed++;
        if (failures.length < 6) {
          failures.push(
            `"${item.text}" sent ${a.sentAt - sigtermAt} ms from SIGTERM: ${a.status || a.error} after ${a.ms} ms`,
          );
        }
      }
      if (a.error === 'hung') hung++;
    }

    // Workflows accepted before SIGTERM: did their final answer reach the transcript?
    checker = await spawnGatewayRetrying(ctx.root, env);
    await sleep(1500);
    const accepted = sent.filter((s) => s.text === STATUS_TEXT && answered(s.delivery.final));
    const acceptedBefore = accepted.filter((s) => s.delivery.final.sentAt < sigtermAt).length;
    const missing = await countMissingAnswers(checker.url, accepted);
    // A platform retries what got no answer (reset, refused, 503) against the restarted process.
    const checkerUrl = checker.url;
    const retried = await Promise.all(
      sent.map(async (item) =>
        retryable(item.delivery.final)
          ? {
              ...item,
              delivery: await deliver(() => checkerUrl, item.message, {
                deadlineMs: 15_000,
                budgetMs: 30_000,
                first: item.delivery.final,
              }),
            }
          : item,
      ),
    );
    const result = await audit(retried, checkerUrl);
    return {
      id: 'e',
      title: `SIGTERM (SHUTDOWN_GRACE_MS=${GRACE_MS}) at 100 msg/s`,
      headline: `exit after ${exitMs} ms, ${processedAfter} processed after SIGTERM, ${failed} 500/reset`,
      lost: result.lost + missing,
      duplicated: result.duplicated,
      hung: result.hungAttempts,
      figures: {
        exit_ms_after_sigterm: exitMs,
        exit: exit ? `${exit.code ?? exit.signal}` : 'still running after 30 s',
        readyz_right_after_sigterm: readyz,
        sent_before_sigterm: formatCounts(before),
        sent_after_sigterm: formatCounts(after),
        processed_after_sigterm: processedAfter,
        shutting_down_logged_ms_after_sigterm: (gateway.firstSeen['shutting down'] ?? Number.NaN) - sigtermAt,
        processed_after_shutting_down_logged: processedAfterLogged,
        failed_500_or_reset: failed,
        hung_first_attempts: hung,
        retried_on_restarted_process: formatCounts(
          countOutcomes(
            retried.filter((r) => r.delivery.attempts.length > 1),
            'all',
          ),
        ),
        lost_after_retries: result.lost,
        failed_but_processed_before_exit: retried.filter(
          (r) => !answered(r.delivery.attempts[0]!) && (r.delivery.final.body as { duplicate?: boolean })?.duplicate,
        ).length,
        workflows_accepted: `${accepted.length} (${acceptedBefore} before SIGTERM)`,
        workflow_answers_missing: missing,
        gateway_errors: formatCounts(errorCounts(gateway.counts)),
        gateway_still_running: exitState(gateway) === 'no' ? 'yes' : 'no',
      },
      notes: [
        'lost = no answer even after retrying on a restarted process + accepted workflows whose result never reached the transcript',
        ...failures,
        ...result.examples,
        ...gateway.notable.filter((l) => /UND_ERR|unhandled|shutdown failed/.test(l)).slice(0, 4),
      ],
    };
  } finally {
    await killHard(gateway);
    if (checker) await killHard(checker);
    await redis.stop();
  }
}

async function fetchStatus(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return String(response.status);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return cause ?? (error as Error).name;
  }
}

/** Accepted work-order status requests whose answer ("… OT-CORR-1 … En Progreso") is not in the transcript. */
async function countMissingAnswers(url: string, accepted: Sent[]): Promise<number> {
  const missing = await mapLimit(accepted, 16, async (item) => {
    const conversationId = (item.delivery.final.body as { conversation_id?: string }).conversation_id;
    if (!conversationId) return 1;
    const transcript = await readTranscript(url, conversationId, ADMIN_TOKEN);
    const done = transcript?.some((e) => e.direction === 'out' && /OT-CORR-1\b[\s\S]*En Progreso/.test(e.text));
    return done ? 0 : 1;
  });
  return missing.reduce((sum: number, n) => sum + n, 0);
}
