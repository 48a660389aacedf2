import { DEMO_CAT_001 } from '../core/cmms/demo-data.ts';
import { createMemoryEventBus, type EventBus, topics } from '../core/events/bus.ts';
import { createInspectionHub, type InspectionHub } from '../core/inspect/hub.ts';
import { silentLogger } from '../core/log.ts';
import { type ConversationRuntimeImpl, createConversationRuntime } from '../core/runtime/conversation-runtime.ts';
import type { RuntimeCmms } from '../core/runtime/options.ts';
import { createMemoryStore } from '../core/store/memory-store.ts';
import { conversationIdOf, type InboundMessage } from '../core/types.ts';
import type { WorkflowRunner } from '../core/workflows/types.ts';
import { conversationModel } from '../machines/model.ts';

/**
 * What inspection costs the conversation runtime: turns/s in-process (memory store, no HTTP) for
 *   (a) no `inspect` option at all (baseline),
 *   (b) the inspection hub wired in, but nobody inspecting (the gateway's default),
 *   (c) the hub streaming every conversation (each turn's records published on an in-process bus
 *       with one listener, as for one `inspect` subscriber).
 * After a discarded warm-up round, the three runs alternate (in rotating order) for `rounds` rounds of
 * `roundMs` each, so drift hits them alike; the median round of each is reported with the ratios b/a
 * and c/a. Bounded (at most 10 rounds of at most 10 s): it stops by itself.
 *
 *   node bench/inspection.ts [--round-ms 1500] [--rounds 3]
 */

export interface InspectionBenchOptions {
  /** Length of one measured round per variant (ms). */
  roundMs?: number;
  rounds?: number;
  conversations?: number;
  /** Turns in flight at once (turns of one conversation are serial in the runtime anyway). */
  concurrency?: number;
}

export interface InspectionBenchResult {
  turns: { baseline: number; hubOff: number; streaming: number };
  /** turns/s (median round). */
  turnsPerSecond: { baseline: number; hubOff: number; streaming: number };
  ratios: { hubOffVsBaseline: number; streamingVsBaseline: number };
  /** Inspection records the listener received in the streaming runs. */
  records: number;
  recordsPerTurn: number;
  roundMs: number;
  rounds: number;
  conversations: number;
  concurrency: number;
}

type Variant = 'baseline' | 'hubOff' | 'streaming';

const CAT_001 = DEMO_CAT_001;
/** The lookups the conversations make: CAT-001 only, no orders, no users. */
const cmms: RuntimeCmms = {
  findEquipment: async (query) => (query.toUpperCase() === 'CAT-001' ? [CAT_001] : []),
  findWorkOrder: async () => null,
  listUsers: async () => [],
  asUser: () => cmms,
};

/** A failure report started, an equipment looked up (an invoked actor), then cancelled; and a greeting. */
const SCRIPT = ['hola', 'reportar falla', 'CAT-001', 'cancelar'];
const MAX_ROUND_MS = 10_000;
const MAX_ROUNDS = 10;

const idleRunner: WorkflowRunner = {
  kind: 'local',
  async trigger() {},
  async status() {
    return { state: 'running' };
  },
  async close() {},
};

interface Setup {
  runtime: ConversationRuntimeImpl;
  close(): void;
}

function setUp(variant: Variant, conversationIds: string[], onRecord: () => void): Setup {
  const bus: EventBus = createMemoryEventBus();
  let hub: InspectionHub | undefined;
  const stops: (() => void)[] = [];
  if (variant !== 'baseline') {
    hub = createInspectionHub({ bus, logger: silentLogger, stateName: conversationModel.stateName });
    if (variant === 'streaming') {
      for (const id of conversationIds) {
        stops.push(bus.subscribe(topics.inspect(id), onRecord));
        stops.push(hub.watch(id));
      }
    }
  }
  const inspection = hub;
  const runtime = createConversationRuntime({
    model: conversationModel,
    store: createMemoryStore({ transcriptLimit: 50, eventLimit: 50 }),
    runner: idleRunner,
    cmms,
    deliver: async () => {},
    bus,
    logger: silentLogger,
    callbackUrl: 'http://127.0.0.1:1/api/bot/webhook',
    workflowTimeoutMs: 60_000,
    workflowPollIntervalMs: 1_000,
    dedupTtlMs: 60_000,
    ...(inspection ? { inspect: (conversationId: string) => inspection.observerFor(conversationId) } : {}),
  });
  return {
    runtime,
    close() {
      for (const stop of stops) stop();
      inspection?.close();
    },
  };
}

/** Runs turns for `durationMs` with `concurrency` conversations in flight; the turns done and the time taken. */
async function runRound(
  variant: Variant,
  durationMs: number,
  conversations: number,
  concurrency: number,
  onRecord: () => void,
): Promise<{ turns: number; seconds: number }> {
  const users = Array.from({ length: conversations }, (_, i) => `bench-${variant}-${i}`);
  const ids = users.map((u) => conversationIdOf('web', u));
  const { runtime, close } = setUp(variant, ids, onRecord);
  let sequence = 0;
  let turns = 0;
  const step = users.map(() => 0);
  const send = (index: number) => {
    const user = users[index]!;
    const text = SCRIPT[step[index]!++ % SCRIPT.length]!;
    const message: InboundMessage = {
      id: `m-${variant}-${sequence++}`,
      channel: 'web',
      conversationId: ids[index]!,
      user: { id: user },
      text,
      receivedAt: new Date().toISOString(),
    };
    return runtime.receive(message);
  };
  try {
    // Warm-up: every conversation exists and the code is hot before the clock starts.
    for (let i = 0; i < conversations; i++) await send(i);
    const start = performance.now();
    const end = start + durationMs;
    const lane = async (first: number) => {
      for (let i = first; performance.now() < end; i = (i + concurrency) % conversations) {
        await send(i);
        turns++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, conversations) }, (_, k) => lane(k)));
    return { turns, seconds: (performance.now() - start) / 1000 };
  } finally {
    await runtime.drain(1_000);
    close();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const round2 = (value: number) => Math.round(value * 100) / 100;

export async function benchInspection(options: InspectionBenchOptions = {}): Promise<InspectionBenchResult> {
  const roundMs = Math.min(MAX_ROUND_MS, Math.max(100, options.roundMs ?? 1_500));
  const rounds = Math.min(MAX_ROUNDS, Math.max(1, Math.trunc(options.rounds ?? 3)));
  const conversations = Math.max(1, Math.trunc(options.conversations ?? 40));
  const concurrency = Math.max(1, Math.min(conversations, Math.trunc(options.concurrency ?? 8)));
  const variants: Variant[] = ['baseline', 'hubOff', 'streaming'];
  const perSecond: Record<Variant, number[]> = { baseline: [], hubOff: [], streaming: [] };
  const turns: Record<Variant, number> = { baseline: 0, hubOff: 0, streaming: 0 };
  let records = 0;
  const onRecord = () => {
    records++;
  };

  // One discarded round first (JIT, allocator), then the variants in a rotating order.
  for (const variant of variants) await runRound(variant, roundMs / 2, conversations, concurrency, () => {});
  for (let round = 0; round < rounds; round++) {
    for (const variant of [...variants.slice(round % 3), ...variants.slice(0, round % 3)]) {
      const done = await runRound(variant, roundMs, conversations, concurrency, onRecord);
      turns[variant] += done.turns;
      perSecond[variant].push(done.turns / done.seconds);
    }
  }
  const rate = (variant: Variant) => round2(median(perSecond[variant]));
  const baseline = rate('baseline');
  const hubOff = rate('hubOff');
  const streaming = rate('streaming');
  return {
    turns,
    turnsPerSecond: { baseline, hubOff, streaming },
    ratios: { hubOffVsBaseline: round2(hubOff / baseline), streamingVsBaseline: round2(streaming / baseline) },
    records,
    recordsPerTurn: round2(records / Math.max(1, turns.streaming + conversations * rounds)),
    roundMs,
    rounds,
    conversations,
    concurrency,
  };
}

export function printInspectionResult(result: InspectionBenchResult): void {
  const { turnsPerSecond: tps, ratios } = result;
  const lines = [
    `inspection cost: runtime turns/s in-process (memory store), median of ${result.rounds} × ${result.roundMs} ms, ${result.conversations} conversations, ${result.concurrency} in flight`,
    `  (a) no inspect option   ${tps.baseline} turns/s`,
    `  (b) hub, inspection off ${tps.hubOff} turns/s   b/a ${ratios.hubOffVsBaseline}`,
    `  (c) hub streaming       ${tps.streaming} turns/s   c/a ${ratios.streamingVsBaseline}   (${result.recordsPerTurn} records/turn)`,
  ];
  console.log(lines.join('\n'));
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (import.meta.main) {
  const result = await benchInspection({
    roundMs: Number(argument('round-ms') ?? process.env.BENCH_INSPECTION_ROUND_MS ?? 1_500),
    rounds: Number(argument('rounds') ?? process.env.BENCH_INSPECTION_ROUNDS ?? 3),
  });
  printInspectionResult(result);
  console.log(JSON.stringify({ bench: 'inspection', ...result }));
}
