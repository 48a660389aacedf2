import { clearPrefix, describeKinds, formatBytes, prefixUsage, totalListLength } from './redis-footprint.ts';
import { rssMiB, type Server } from './servers.ts';
import { benchUser, postMessage, startGateway } from './web-gateway.ts';
import { runWrk } from './wrk.ts';

/** The targets for memory. */
export const TARGET_BYTES_PER_IDLE_CONVERSATION = 2048;
export const TARGET_RSS_MIB = 250;

/**
 * "An idle conversation with a 10-message transcript": 5 exchanges (the user's 5 messages and the bot's
 * 5 replies: 10 transcript messages), the target; 10 exchanges (20 messages) shown beside it.
 */
const FOOTPRINT_EXCHANGES = [5, 10];
/** Conversations fed at the same time in the footprint check (each one's messages in order). */
const FOOTPRINT_CONCURRENCY = 20;

const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
const fits = (bytes: number) =>
  `${bytes.toFixed(0)} B per conversation   target ≤ ${TARGET_BYTES_PER_IDLE_CONVERSATION} B: ${verdict(bytes <= TARGET_BYTES_PER_IDLE_CONVERSATION)}`;

/**
 * The footprint of idle conversations: for each FOOTPRINT_EXCHANGES, `conversations` users each send
 * "hola" that many times through a Redis gateway of its own (a fresh prefix, the default TTLs); then the
 * bytes of every key under the prefix, the conversation's own (hash, events, transcript, answered ids,
 * replies) per conversation, and the global ones (indexes, limits, secrets) apart.
 */
export async function footprintCheck(redisUrl: string, prefix: string, conversations: number): Promise<void> {
  for (const exchanges of FOOTPRINT_EXCHANGES) {
    await footprintOf(redisUrl, `${prefix}${exchanges}:`, conversations, exchanges);
  }
}

async function footprintOf(redisUrl: string, prefix: string, conversations: number, exchanges: number) {
  let gateway: Server | undefined;
  try {
    // The default TTLs: a message id's lasting part 7 days, its replies an hour (what production keeps).
    gateway = await startGateway({ url: redisUrl, prefix }, null, true);
    const url = gateway.url;
    let next = 0;
    let refused = 0;
    const feed = async () => {
      for (let user = next++; user < conversations; user = next++) {
        for (let i = 0; i < exchanges; i++) {
          const reply = await postMessage(url, benchUser(user), 'hola', `footprint-${user}-${i}`);
          if (reply.status !== 200) refused++;
        }
      }
    };
    await Promise.all(Array.from({ length: FOOTPRINT_CONCURRENCY }, feed));
    const usage = await prefixUsage(redisUrl, prefix);
    const perConversation = usage.perConversation.bytes / conversations;
    // The replies of each turn are kept an hour for a retried delivery; after it, the conversation's lasting keys.
    const replies = usage.kinds.get('conv-replies')?.bytes ?? 0;
    const afterHour = (usage.perConversation.bytes - replies) / conversations;
    const transcript = (await totalListLength(redisUrl, prefix, 'conv-transcript')) / conversations;
    console.log(
      `\nidle conversation with a ${transcript.toFixed(0)}-message transcript (${conversations} users × ${exchanges} "hola" and their replies, Redis):` +
        (refused ? `   (${refused} messages not answered 200)` : ''),
    );
    console.log(`  within the hour its replies are kept for a retried delivery: ${fits(perConversation)}`);
    console.log(`  after that hour: ${fits(afterHour)}`);
    console.log(`  keys: ${describeKinds(usage)} (MEMORY USAGE … SAMPLES 0)`);
    console.log(
      `  global keys apart: ${usage.global.keys} keys ${formatBytes(usage.global.bytes)} ` +
        `(${(usage.global.bytes / conversations).toFixed(0)} B per conversation if shared by these ${conversations})`,
    );
  } finally {
    await gateway?.stop();
    await clearPrefix(redisUrl, prefix);
  }
}

const LONG_MESSAGES = 200_000;
const LONG_CONVERSATIONS = 20_000;
const LONG_STEP = 20_000;

/**
 * BENCH_LONG=1: 200,000 messages over 20,000 conversations into each store (wrk, 20,000 at a time),
 * the gateway's RSS after every 20,000, to see whether it levels off.
 */
export async function longMemoryRun(opts: { redisUrl: string; prefix: string; connections: number; apiKey: string }) {
  console.log(
    `\n== long memory run: ${LONG_MESSAGES.toLocaleString('en')} messages over ${LONG_CONVERSATIONS.toLocaleString('en')} conversations, RSS every ${LONG_STEP.toLocaleString('en')} (target < ${TARGET_RSS_MIB} MiB)`,
  );
  for (const store of ['redis', 'memory'] as const) {
    let gateway: Server | undefined;
    try {
      gateway = await startGateway(store === 'redis' ? { url: opts.redisUrl, prefix: opts.prefix } : undefined);
      const samples: string[] = [`start ${(await rssMiB(gateway.pid)).toFixed(0)}`];
      let peak = 0;
      for (let sent = 0; sent < LONG_MESSAGES; sent += LONG_STEP) {
        const result = await runWrk(`long ${store}`, gateway.url, {
          connections: opts.connections,
          durationSec: 600,
          apiKey: opts.apiKey,
          users: LONG_CONVERSATIONS,
          runId: `long-${store}-${sent}`,
          firstMessage: sent,
          stopAfter: LONG_STEP,
        });
        const rss = await rssMiB(gateway.pid);
        peak = Math.max(peak, rss);
        samples.push(`${((sent + LONG_STEP) / 1000).toFixed(0)}k ${rss.toFixed(0)}`);
        if (result.errors || result.non2xx) samples.push(`(${result.errors} errors, ${result.non2xx} non-2xx)`);
      }
      console.log(
        `${store.padEnd(6)} RSS MiB: ${samples.join('  ')}   peak ${peak.toFixed(0)}: ${verdict(peak < TARGET_RSS_MIB)}`,
      );
      if (store === 'memory') {
        console.log('       (the memory store keeps at most 10,000 conversations or 64 MiB of them, and');
        console.log('       100,000 message ids or 16 MiB (MEMORY_MAX_*): the least recently used are forgotten)');
      }
      if (store === 'redis') {
        const usage = await prefixUsage(opts.redisUrl, opts.prefix);
        console.log(
          `       Redis: ${usage.conversations} conversations, ${(usage.perConversation.bytes / Math.max(1, usage.conversations)).toFixed(0)} B each (${describeKinds(usage)})`,
        );
      }
    } finally {
      await gateway?.stop();
      if (store === 'redis') await clearPrefix(opts.redisUrl, opts.prefix);
    }
  }
}
