import { DEMO_CMMS_TOKEN } from '../../core/cmms/demo-server.ts';
import { errorCounts } from './case-kill.ts';
import { ADMIN_TOKEN, type CaseContext, type CaseResult, describe, formatCounts, gatewayEnv } from './common.ts';
import { type Attempt, httpCall, mapLimit, postMessage, readTranscript, type WebAnswer } from './http.ts';
import { type GatewayHandle, killHard, OwnRedis, sleep, spawnGatewayRetrying } from './procs.ts';

/** The demo CMMS's fixed token (core/cmms/demo-server.ts). */
const USERS = 8;
const WORKFLOW_TIMEOUT_MS = 20_000;
const CREATED = /Se creó la orden de trabajo (OT-[\w-]+)/;
const TIMED_OUT = /tardando más de lo esperado/;

/**
 * f) The process running a failure report's workflow dies. A third gateway serves the demo CMMS, so
 * orders outlive A. Half the users confirm, then the CMMS is frozen (SIGSTOP); the other half confirm
 * while it is frozen; A is killed while their orders are being created (the CMMS creates them once
 * it resumes). Gateway B (same Redis) must bring each user the real order number.
 */
export async function caseWorkflowOwnerKilled(ctx: CaseContext): Promise<CaseResult> {
  const redis = new OwnRedis(6465);
  await redis.start();
  const tag = `f${ctx.runId}`;
  const cmmsHost = await spawnGatewayRetrying(ctx.root, gatewayEnv(ctx, undefined, ''));
  const env = gatewayEnv(ctx, redis.url, `fault:${tag}:`, {
    CMMS_URL: `${cmmsHost.url}/demo-cmms`,
    CMMS_TOKEN: DEMO_CMMS_TOKEN,
    WORKFLOW_POLL_INTERVAL_MS: '500',
    WORKFLOW_TIMEOUT_MS: String(WORKFLOW_TIMEOUT_MS),
  });
  let a: GatewayHandle | undefined;
  let b: GatewayHandle | undefined;
  try {
    [a, b] = await Promise.all([spawnGatewayRetrying(ctx.root, env), spawnGatewayRetrying(ctx.root, env)]);
    const gatewayA = a;
    const users = Array.from({ length: USERS }, (_, i) => ({
      id: `${tag}-u${i}`,
      ref: `ref ${tag}x${i}z`,
      conversationId: `web:${tag}-u${i}`,
    }));
    const notes: string[] = [];
    const ready = await mapLimit(users, 4, async (user) => {
      const { failed, conversationId } = await dialogue(gatewayA.url, user.id, user.ref);
      if (conversationId) user.conversationId = conversationId;
      if (failed) notes.push(`${user.id}: dialogue stopped: ${failed}`);
      return !failed;
    });
    const confirm = (i: number) =>
      postMessage(gatewayA.url, { user_id: users[i]!.id, action: 'confirm:yes', message_id: `${tag}-c${i}` }, 10_000);
    const half = Math.floor(USERS / 2);
    const confirms: Attempt[] = [];
    confirms.push(...(await Promise.all(users.slice(0, half).map((_, i) => confirm(i)))));
    cmmsHost.child.kill('SIGSTOP');
    confirms.push(...(await Promise.all(users.slice(half).map((_, i) => confirm(half + i)))));
    await killHard(a);
    await sleep(300);
    cmmsHost.child.kill('SIGCONT');
    const confirmedAt = Date.now();

    // Gateway B's watcher and the transcripts: wait for each user's order number or time-out notice.
    const gatewayB = b;
    const outcome = new Map<string, { created: string[]; timedOut: boolean }>();
    while (Date.now() < confirmedAt + WORKFLOW_TIMEOUT_MS + 12_000) {
      await mapLimit(users, 8, async (user) => {
        const transcript = await readTranscript(gatewayB.url, user.conversationId, ADMIN_TOKEN);
        const out = (transcript ?? []).filter((e) => e.direction === 'out').map((e) => e.text);
        outcome.set(user.id, {
          created: out.map((t) => CREATED.exec(t)?.[1]).filter((n): n is string => Boolean(n)),
          timedOut: out.some((t) => TIMED_OUT.test(t)),
        });
      });
      if ([...outcome.values()].every((o) => o.created.length > 0 || o.timedOut)) break;
      await sleep(1000);
    }
    const waitedS = (Date.now() - confirmedAt) / 1000;
    const orders = await listOrders(cmmsHost.url);

    let delivered = 0;
    let timedOut = 0;
    let nothing = 0;
    let toldTimeoutButCreated = 0;
    let extraOrders = 0;
    let twoAnswers = 0;
    let wrongNumber = 0;
    let ordersCreated = 0;
    for (const [i, user] of users.entries()) {
      if (!ready[i]) continue;
      const seen = outcome.get(user.id) ?? { created: [], timedOut: false };
      const mine = orders.filter((o) => o.descripcionproblemareportado?.includes(user.ref));
      ordersCreated += mine.length;
      extraOrders += Math.max(0, mine.length - 1);
      if (new Set(seen.created).size > 1) twoAnswers++;
      if (seen.created.length) delivered++;
      else if (seen.timedOut) timedOut++;
      else nothing++;
      if (seen.timedOut && mine.length) toldTimeoutButCreated++;
      if (seen.created.some((n) => !mine.some((o) => o.numeroot === n))) wrongNumber++;
      const group = i < half ? 'CMMS frozen just after the confirm' : 'confirmed while the CMMS was frozen';
      notes.push(
        `${user.id} (${group}): confirm ${describe(confirms[i]!)}; told ${seen.created.join(',') || (seen.timedOut ? 'timed out' : 'nothing')}; orders in CMMS ${mine.length}`,
      );
    }
    const usable = ready.filter(Boolean).length;
    return {
      id: 'f',
      title: 'workflow owner killed (kill -9 after confirming a failure report)',
      headline: `${delivered}/${usable} got their order number, ${timedOut} told timed out (${toldTimeoutButCreated} of them with an order)`,
      lost: usable - delivered,
      duplicated: extraOrders + twoAnswers,
      hung: nothing,
      figures: {
        users: `${usable}/${USERS} reached the confirmation`,
        delivered_real_order_number: delivered,
        told_timed_out: timedOut,
        told_nothing: nothing,
        told_timed_out_though_order_exists: toldTimeoutButCreated,
        orders_created: ordersCreated,
        duplicate_orders: extraOrders,
        number_not_in_cmms: wrongNumber,
        waited_s: Number(waitedS.toFixed(1)),
        B_errors: formatCounts(errorCounts(b.counts)),
      },
      notes,
    };
  } finally {
    cmmsHost.child.kill('SIGCONT');
    if (a) await killHard(a);
    if (b) await killHard(b);
    await killHard(cmmsHost);
    await redis.stop();
  }
}

/** Reports a failure up to the confirmation question: the conversation's id, or what went wrong. */
async function dialogue(
  url: string,
  userId: string,
  ref: string,
): Promise<{ failed: string | null; conversationId?: string }> {
  let conversationId: string | undefined;
  const steps: Array<[{ message?: string; action?: string }, RegExp]> = [
    [{ message: 'reportar falla' }, /¿En qué equipo\?/],
    [{ message: 'CAT-001' }, /Describe la falla/],
    [{ message: `Fuga de aceite hidraulico en el brazo principal ${ref}` }, /prioridad/],
    [{ action: 'priority:alta' }, /¿Confirmas\?/],
  ];
  for (const [index, [input, expected]] of steps.entries()) {
    const attempt = await postMessage(url, { user_id: userId, message_id: `${userId}-d${index}`, ...input }, 15_000);
    const body = attempt.body as WebAnswer | null;
    conversationId ??= body?.conversation_id;
    if (!body?.replies?.some((r) => expected.test(r.text)))
      return { failed: `step ${index + 1}: ${describe(attempt)}` };
  }
  return { failed: null, ...(conversationId ? { conversationId } : {}) };
}

interface Order {
  numeroot: string;
  descripcionproblemareportado?: string;
}

/** Every work order of the demo CMMS (all pages). */
async function listOrders(cmmsUrl: string): Promise<Order[]> {
  const orders: Order[] = [];
  for (let page = 1; page < 100; page++) {
    const attempt = await httpCall(cmmsUrl, 'GET', `/demo-cmms/api/ordenes-trabajo/?page=${page}`, {
      headers: { authorization: `Token ${DEMO_CMMS_TOKEN}` },
      deadlineMs: 10_000,
    });
    const body = attempt.body as { results?: Order[]; next?: string | null } | null;
    if (attempt.status !== 200 || !body?.results) break;
    orders.push(...body.results);
    if (!body.next) break;
  }
  return orders;
}
