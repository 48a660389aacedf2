import { errorCounts } from './case-kill.ts';
import {
  audit,
  type CaseContext,
  type CaseResult,
  countOutcomes,
  formatCounts,
  gatewayEnv,
  openLoop,
  socketErrors,
} from './common.ts';
import { type Attempt, httpCall, percentile } from './http.ts';
import { type GatewayHandle, killHard, OwnRedis, sleep, spawnGatewayRetrying } from './procs.ts';

/** Texts without a workflow: every one is answered in the turn. */
const TEXTS = ['hola', 'ayuda', 'gracias', 'cancelar'];

/** b) Redis killed during ~100 msg/s and restarted on the same port (same data) 2 s later. */
export async function caseRedisRestart(ctx: CaseContext): Promise<CaseResult> {
  const redis = new OwnRedis(6461);
  await redis.start();
  const tag = `b${ctx.runId}`;
  const gateway = await spawnGatewayRetrying(ctx.root, gatewayEnv(ctx, redis.url, `fault:${tag}:`));
  try {
    const traffic = openLoop({
      url: () => gateway.url,
      tag,
      users: 200,
      texts: TEXTS,
      rate: 100,
      durationMs: 8000,
      deadlineMs: 15_000,
      budgetMs: 30_000,
    });
    await sleep(2500);
    const killedAt = Date.now();
    await redis.kill();
    await sleep(2000);
    await redis.start();
    const sent = await traffic;
    const result = await audit(sent, gateway.url);
    const all = countOutcomes(sent, 'all');
    const first = countOutcomes(sent, 'first');
    return {
      id: 'b',
      title: 'Redis killed and restarted (2 s) at 100 msg/s',
      headline: `500: ${all['500'] ?? 0}, 503+Retry-After: ${all['503+RA'] ?? 0}, 503 without: ${all['503'] ?? 0}`,
      lost: result.lost,
      duplicated: result.duplicated,
      hung: result.hungAttempts,
      figures: {
        messages: sent.length,
        http_500: all['500'] ?? 0,
        http_503_with_retry_after: all['503+RA'] ?? 0,
        http_503_without_retry_after: all['503'] ?? 0,
        first_attempts: formatCounts(first),
        all_attempts: formatCounts(all),
        lost_empty_200: result.lostEmpty200,
        lost_never_answered: result.lostNoAnswer,
        lost_not_in_transcript: result.lostNotInTranscript,
        unreadable_transcripts: result.unreadableTranscripts,
        gateway_exited: exitState(gateway),
        gateway_errors: formatCounts(errorCounts(gateway.counts)),
      },
      notes: [...result.examples, ...socketErrors(sent, killedAt).map((e) => `${e} (0 = the kill)`)],
    };
  } finally {
    await killHard(gateway);
    await redis.stop();
  }
}

const STALL_MS = 20_000;

/**
 * c) Redis frozen (SIGSTOP, connections stay open) for 20 s during 20 msg/s: requests that hang past
 * 15 s, 503s with Retry-After, and how long `/readyz` takes to answer meanwhile. (20 s rather than
 * 5 s: a request deadline and a Redis command timeout only show once the stall outlasts them.)
 */
export async function caseRedisStall(ctx: CaseContext): Promise<CaseResult> {
  const redis = new OwnRedis(6462);
  await redis.start();
  const tag = `c${ctx.runId}`;
  const gateway = await spawnGatewayRetrying(ctx.root, gatewayEnv(ctx, redis.url, `fault:${tag}:`));
  try {
    const traffic = openLoop({
      url: () => gateway.url,
      tag,
      users: 50,
      texts: TEXTS,
      rate: 20,
      durationMs: 10_000,
      deadlineMs: 15_000,
      budgetMs: 45_000,
    });
    await sleep(2000);
    const stalledAt = Date.now();
    redis.pause();
    const probes: Promise<Attempt>[] = [];
    const stallEnds = Date.now() + STALL_MS;
    while (Date.now() < stallEnds - 1000) {
      probes.push(httpCall(gateway.url, 'GET', '/readyz', { deadlineMs: 15_000, agent: false }));
      await sleep(2000);
    }
    await sleep(Math.max(0, stallEnds - Date.now()));
    redis.resume();
    const sent = await traffic;
    const readyz = await Promise.all(probes);
    const result = await audit(sent, gateway.url);
    const first = sent.map((s) => s.delivery.attempts[0]!);
    const firstMs = first.map((a) => a.ms);
    const ms503 = sent.flatMap((s) => s.delivery.attempts.filter((a) => a.status === 503).map((a) => a.ms));
    const all = countOutcomes(sent, 'all');
    return {
      id: 'c',
      title: `Redis frozen (SIGSTOP ${STALL_MS / 1000} s) at 20 msg/s`,
      headline: `${first.filter((a) => a.error === 'hung').length} hung > 15 s, 503+Retry-After: ${all['503+RA'] ?? 0}, /readyz up to ${Math.max(0, ...readyz.map((a) => a.ms))} ms`,
      lost: result.lost,
      duplicated: result.duplicated,
      hung: result.hungAttempts,
      figures: {
        messages: sent.length,
        hung_over_15s_first_attempts: first.filter((a) => a.error === 'hung').length,
        http_503_with_retry_after: all['503+RA'] ?? 0,
        http_503_without_retry_after: all['503'] ?? 0,
        http_500: all['500'] ?? 0,
        first_attempts: formatCounts(countOutcomes(sent, 'first')),
        all_attempts: formatCounts(all),
        ms_to_503_p50_max: `${percentile(ms503, 50)}/${Math.max(0, ...ms503)}`,
        first_attempt_ms_p50_p99_max: `${percentile(firstMs, 50)}/${percentile(firstMs, 99)}/${Math.max(...firstMs)}`,
        readyz_during_stall: readyz.map((a) => `${a.status || a.error}@${a.ms}ms`).join(' '),
        readyz_max_ms: Math.max(0, ...readyz.map((a) => a.ms)),
        lost_empty_200: result.lostEmpty200,
        lost_never_answered: result.lostNoAnswer,
        gateway_exited: exitState(gateway),
        gateway_errors: formatCounts(errorCounts(gateway.counts)),
      },
      notes: [...result.examples, ...socketErrors(sent, stalledAt).map((e) => `${e} (0 = the freeze)`)],
    };
  } finally {
    redis.resume();
    await killHard(gateway);
    await redis.stop();
  }
}

export function exitState(gateway: GatewayHandle): string {
  const { exitCode, signalCode } = gateway.child;
  return exitCode === null && signalCode === null ? 'no' : `yes (${exitCode ?? signalCode})`;
}
