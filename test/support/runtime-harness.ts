import { randomUUID } from 'node:crypto';
import { afterAll } from 'vitest';
import { DEMO_CAT_001 } from '../../core/cmms/demo-data.ts';
import { createMemoryEventBus, type EventBus } from '../../core/events/bus.ts';
import { createIdentityService, type IdentityServiceOptions } from '../../core/identity/index.ts';
import { silentLogger } from '../../core/log.ts';
import { createConversationRuntime, type RuntimeOptions } from '../../core/runtime/conversation-runtime.ts';
import type { RuntimeCmms } from '../../core/runtime/options.ts';
import type { TranscriptEntry } from '../../core/runtime/types.ts';
import { createRedisStore } from '../../core/store/redis-store.ts';
import type { ReplyTexts } from '../../core/store/reply-texts.ts';
import type { ConversationStore } from '../../core/store/types.ts';
import { conversationIdOf, type InboundMessage, type OutboundMessage } from '../../core/types.ts';
import type { WorkflowConf, WorkflowRunner } from '../../core/workflows/types.ts';
import { conversationModel } from '../../machines/model.ts';
import { clearPrefix, connectRedis, uniquePrefix } from './redis.ts';

export const CAT_001 = DEMO_CAT_001;

/** An identity service in memory for runtime tests (a fixed key, policy `report`); its CMMS login is the test's. */
export function testIdentityService(options: Pick<IdentityServiceOptions, 'login'> & Partial<IdentityServiceOptions>) {
  return createIdentityService({
    key: 'a-test-identity-key-of-32-chars!!',
    publicUrl: 'https://bot.example',
    policy: 'report',
    logger: silentLogger,
    ...options,
  });
}

/** A runner that records triggers (the workflow seam; its result is delivered by the test). */
export function recordingRunner(): WorkflowRunner & {
  triggers: { dagId: string; runId: string; conf: WorkflowConf }[];
} {
  const triggers: { dagId: string; runId: string; conf: WorkflowConf }[] = [];
  return {
    kind: 'local',
    triggers,
    async trigger(dagId, runId, conf) {
      if (!triggers.some((t) => t.runId === runId)) triggers.push({ dagId, runId, conf });
    },
    async status() {
      return { state: 'running' };
    },
    async close() {},
  };
}

/**
 * The CMMS lookups the runtime makes, scripted: CAT-001 is the only equipment, no order, no user;
 * `asUser` answers the same (a test overrides it to see who asked).
 */
export function stubCmms(overrides: Partial<RuntimeCmms> = {}): RuntimeCmms {
  const cmms: RuntimeCmms = {
    findEquipment: async (q) => (q.toUpperCase() === 'CAT-001' ? [CAT_001] : []),
    findWorkOrder: async () => null,
    listUsers: async () => [],
    asUser: () => cmms,
    ...overrides,
  };
  return cmms;
}

export type RuntimeOverrides = Omit<Partial<RuntimeOptions>, 'cmms'> & { cmms?: Partial<RuntimeCmms> };

export function makeRuntime(store: ConversationStore, overrides: RuntimeOverrides = {}) {
  const delivered: OutboundMessage[] = [];
  const bus: EventBus = overrides.bus ?? createMemoryEventBus();
  const runner = recordingRunner();
  const { cmms, ...rest } = overrides;
  const runtime = createConversationRuntime({
    model: conversationModel,
    store,
    runner,
    deliver: async (m) => {
      delivered.push(m);
    },
    bus,
    logger: silentLogger,
    callbackUrl: 'http://127.0.0.1:1/api/bot/webhook',
    workflowTimeoutMs: 60_000,
    workflowPollIntervalMs: 1_000,
    dedupTtlMs: 60_000,
    ...rest,
    cmms: stubCmms(cmms),
  });
  return { runtime, runner, delivered, bus };
}

export function message(userId: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  return {
    id: randomUUID(),
    channel: 'web',
    conversationId: conversationIdOf('web', userId),
    user: { id: userId },
    text,
    receivedAt: new Date().toISOString(),
    ...extra,
  };
}

export const inbound = (entries: TranscriptEntry[]) => entries.filter((e) => e.direction === 'in').map((e) => e.text);

/** Rewrites a stored conversation as saved by another machine version (an older or a newer build). */
export async function storeAsMachineVersion(store: ConversationStore, conversationId: string, machineVersion: number) {
  const stored = (await store.load(conversationId))!;
  await store.commit(conversationId, stored.version, {
    snapshot: stored.snapshot,
    meta: { ...stored.meta, machineVersion },
    events: [],
    transcript: [],
    checkAt: null,
  });
}

/**
 * Real Redis stores for one test file, each on its own connection. `open()` opens a store on a new key
 * prefix; `open(prefix)` another on the same prefix (a second process sharing that Redis). Call it at
 * the top of the file: it registers an afterAll that closes every store and deletes every prefix.
 */
export function redisStores(name: string) {
  const prefixes: string[] = [];
  const stores: ConversationStore[] = [];
  afterAll(async () => {
    for (const store of stores) await store.close().catch(() => undefined);
    for (const prefix of prefixes) await clearPrefix(prefix);
  });
  const newPrefix = () => {
    const prefix = uniquePrefix(name);
    prefixes.push(prefix);
    return prefix;
  };
  /** `replyTexts`: the fixed texts the store keeps by reference (without, every text is kept whole). */
  const open = (prefix = newPrefix(), replyTexts?: ReplyTexts): ConversationStore => {
    const store = createRedisStore({
      redis: connectRedis(),
      prefix,
      conversationTtlSeconds: 3600,
      transcriptLimit: 500,
      eventLimit: 1000,
      ...(replyTexts ? { replyTexts } : {}),
    });
    stores.push(store);
    return store;
  };
  return { newPrefix, open };
}
