import { errorCounts } from './case-kill.ts';
import { type CaseContext, type CaseResult, formatCounts, gatewayEnv } from './common.ts';
import { type Attempt, answered, postMessage } from './http.ts';
import { killHard, OwnRedis, portOpen, sleep, spawnGateway, waitForPort } from './procs.ts';

const REQUESTS = 200;
const DEADLINE_MS = 10_000;
/** A plain start, then two while Redis is frozen (as when it loads an AOF). */
const STARTS: Array<'redis up' | 'redis frozen'> = ['redis up', 'redis frozen', 'redis frozen'];

/**
 * d) 200 requests fired at a starting gateway's port the moment it is bound (fixed port 6480-6499,
 * polled with connects): requests that hang past 10 s, or fail otherwise than 503 with Retry-After.
 */
export async function caseStartup(ctx: CaseContext): Promise<CaseResult> {
  const redis = new OwnRedis(6463);
  await redis.start();
  const tag = `d${ctx.runId}`;
  const port = await freePort(6480, 6499);
  const perStart: string[] = [];
  let hung = 0;
  let failedOther = 0;
  let ok = 0;
  let retryLater = 0;
  let failedStarts = 0;
  const errors: Record<string, number> = {};
  try {
    for (const [index, mode] of STARTS.entries()) {
      const frozen = mode !== 'redis up';
      if (frozen) redis.pause();
      const gateway = await spawnGateway(
        ctx.root,
        gatewayEnv(ctx, redis.url, `fault:${tag}:`, { PORT: String(port) }),
        { waitListening: false },
      );
      // Frozen until 3 s after the port is bound (or 8 s after the spawn, for a gateway that binds only when ready).
      const resumeAt = { at: Date.now() + 8000 };
      const resumed = frozen ? untilThenResume(resumeAt, () => redis.resume()) : Promise.resolve();
      try {
        const bound = await Promise.race([
          waitForPort(port, 20_000, 2).then(() => true),
          gateway.exited.then(() => false),
        ]);
        if (!bound) {
          perStart.push(`${mode}: exited before binding (${gateway.tail.at(-1)?.slice(0, 200)})`);
          failedStarts++;
          continue;
        }
        resumeAt.at = Math.min(resumeAt.at, Date.now() + 3000);
        const url = `http://127.0.0.1:${port}`;
        const attempts: Attempt[] = await Promise.all(
          Array.from({ length: REQUESTS }, (_, i) =>
            postMessage(
              url,
              { user_id: `${tag}-s${index}-u${i}`, message: 'hola', message_id: `${tag}-s${index}-m${i}` },
              DEADLINE_MS,
              false,
            ),
          ),
        );
        const counts: Record<string, number> = {};
        for (const a of attempts) {
          const label = a.status === 0 ? (a.error ?? 'error') : `${a.status}${a.retryAfter !== null ? '+RA' : ''}`;
          counts[label] = (counts[label] ?? 0) + 1;
          if (answered(a)) ok++;
          else if (a.error === 'hung') hung++;
          else if (a.status === 503 && a.retryAfter !== null) retryLater++;
          else failedOther++;
        }
        perStart.push(`${mode}: ${formatCounts(counts)}`);
      } finally {
        await resumed;
        for (const [k, v] of Object.entries(errorCounts(gateway.counts))) errors[k] = (errors[k] ?? 0) + v;
        await killHard(gateway);
      }
    }
    return {
      id: 'd',
      title: `start-up: ${REQUESTS} requests as soon as the port is bound, ${STARTS.length} starts`,
      headline: `${hung} hung > 10 s, ${failedOther} failed otherwise, ${retryLater} 503+Retry-After`,
      lost: failedOther,
      duplicated: 0,
      hung,
      figures: {
        requests: REQUESTS * STARTS.length,
        answered: ok,
        hung_over_10s: hung,
        http_503_with_retry_after: retryLater,
        failed_otherwise: failedOther,
        starts_failed: failedStarts,
        per_start: perStart.join(' | '),
        gateway_errors: formatCounts(errors),
      },
      notes: ['lost here = failed other than 503 with Retry-After (no retry is made in this case)'],
    };
  } finally {
    redis.resume();
    await redis.stop();
  }
}

/** Waits until `deadline.at` (which may move earlier meanwhile), then calls `resume`. */
async function untilThenResume(deadline: { at: number }, resume: () => void): Promise<void> {
  while (Date.now() < deadline.at) await sleep(Math.min(50, deadline.at - Date.now()));
  resume();
}

/** The first port in the range nobody listens on (so the connect poll only finds our gateway). */
async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) if (!(await portOpen(port))) return port;
  throw new Error(`no free port in ${from}-${to}`);
}
