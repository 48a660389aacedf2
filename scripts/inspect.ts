import { parseArgs } from 'node:util';
import { request } from 'undici';
import type { InspectionEvent } from 'xstate';
import { connectLiveInspector } from '../core/inspect/live.ts';
import { replayEventLog, type TimelineEntry } from '../core/inspect/replay.ts';
import { silentLogger } from '../core/log.ts';
import { redisClusterNodes, redisClusterSecurity } from '../core/redis-cluster-config.ts';
import { isCluster, openRedis, redisTarget, untilRedisAnswers } from '../core/redis-connection.ts';
import { createRedisStore } from '../core/store/redis-store.ts';
import type { EventLogEntry } from '../core/store/types.ts';
import { conversationModel } from '../machines/model.ts';

/**
 * `npm run inspect -- <conversationId> [--url http://127.0.0.1:5001] [--live [ws://localhost:8080]]`
 *
 * Prints a conversation's timeline (time, channel, event, state) replayed through the current
 * machine, and with --live sends the replay to the Stately inspector. The event log comes from the
 * gateway's admin API (ADMIN_TOKEN), or straight from Redis when REDIS_URL (or REDIS_CLUSTER_NODES) is
 * set and --url is not.
 * Exit: 0 replay matches, 1 it differs, 2 cannot replay (unknown conversation, other machine version…).
 */
const USAGE = 'usage: npm run inspect -- <conversationId> [--url <gateway url>] [--live [<inspector ws url>]]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { url: { type: 'string' }, live: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  const conversationId = positionals[0];
  if (values.help || !conversationId) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const liveUrl = positionals[1] ?? process.env.INSPECT_URL ?? 'ws://localhost:8080';
  const log = await loadLog(conversationId, values.url);
  if (!log) {
    console.error(`conversation ${conversationId} not found`);
    return 2;
  }

  let inspect: ((event: InspectionEvent) => void) | undefined;
  let stopLive = () => {};
  if (values.live) {
    const inspector = await connectLiveInspector(liveUrl);
    inspect = (event) => inspector.send(conversationId, event);
    stopLive = () => inspector.stop();
    console.log(
      `sending the replay to the inspector at ${liveUrl} (open it first: see README, "Inspecting conversations")`,
    );
  }

  console.log(
    `conversation ${conversationId}: ${log.length} logged events, machine version ${conversationModel.version}`,
  );
  try {
    const result = await replayEventLog(conversationModel, conversationId, log, inspect ? { inspect } : {});
    printTimeline(result.timeline);
    console.log(
      result.matches
        ? `replay matches the recorded states; final state: ${result.finalState}`
        : `replay DIFFERS from the recorded states (marked ✗); final state: ${result.finalState}`,
    );
    if (values.live) await new Promise((resolve) => setTimeout(resolve, 1_000));
    return result.matches ? 0 : 1;
  } catch (error) {
    console.error(`cannot replay: ${(error as Error).message}`);
    return 2;
  } finally {
    stopLive();
  }
}

async function loadLog(conversationId: string, url: string | undefined): Promise<EventLogEntry[] | null> {
  const nodes = redisClusterNodes(process.env);
  const target = redisTarget({
    redisUrl: process.env.REDIS_URL,
    redisClusterNodes: nodes,
    redisClusterSecurity: redisClusterSecurity(process.env, nodes.length > 0),
  });
  if (!url && target) {
    const redis = openRedis({ redisCommandTimeoutMs: 5_000 }, target, silentLogger);
    // A few tries (a cluster answers once it has read its slots), then the error.
    await untilRedisAnswers(redis, silentLogger, 3).catch((error: unknown) => {
      redis.disconnect();
      throw error;
    });
    const store = createRedisStore({
      redis,
      prefix: process.env.REDIS_KEY_PREFIX ?? 'omnibot:',
      layout: isCluster(redis) ? 'sharded' : 'classic',
      // Read-only here: the limits only cap what a read returns (the whole log, at most what is kept).
      conversationTtlSeconds: 3600,
      transcriptLimit: 100_000,
      eventLimit: 100_000,
    });
    try {
      return (await store.load(conversationId)) ? await store.readEvents(conversationId) : null;
    } finally {
      await store.close();
    }
  }
  const base = url ?? `http://127.0.0.1:${process.env.PORT ?? 5001}`;
  const response = await request(`${base}/admin/conversations/${encodeURIComponent(conversationId)}/events`, {
    headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN ?? ''}` },
  });
  const body = (await response.body.json()) as { events?: EventLogEntry[]; message?: string };
  if (response.statusCode === 404) return null;
  if (response.statusCode !== 200) throw new Error(`admin API answered ${response.statusCode}: ${body.message ?? ''}`);
  return body.events ?? [];
}

function printTimeline(timeline: TimelineEntry[]) {
  console.log(`${'TIME'.padEnd(25)} ${'CHANNEL'.padEnd(9)} ${'EVENT'.padEnd(44)} STATE`);
  for (const t of timeline) {
    const state = t.matches ? `${t.replayedState} ✓` : `${t.replayedState} ✗ (recorded ${t.recordedState})`;
    console.log(`${t.at.padEnd(25)} ${t.channel.padEnd(9)} ${t.event.slice(0, 44).padEnd(44)} ${state}`);
    for (const reply of t.replies) console.log(`${''.padEnd(36)}↳ ${reply.split('\n')[0]!.slice(0, 90)}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`inspect failed: ${(error as Error).message}`);
    process.exit(2);
  },
);
