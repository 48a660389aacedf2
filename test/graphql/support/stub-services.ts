import { ConflictError } from '../../../core/errors.ts';
import { createMemoryEventBus, type EventBus, topics } from '../../../core/events/bus.ts';
import type { GraphqlServices } from '../../../core/graphql/context.ts';
import type { LinkedIdentity } from '../../../core/identity/types.ts';
import { silentLogger } from '../../../core/log.ts';
import type { AgentLabel } from '../../../core/runtime/model.ts';
import type {
  ConversationRuntime,
  ConversationView,
  TranscriptEntry,
  TurnResult,
} from '../../../core/runtime/types.ts';
import type { ConversationStore, EventLogEntry } from '../../../core/store/types.ts';
import type { InboundMessage } from '../../../core/types.ts';
import { parseBrowserMessage } from '../../../plugins/web/index.ts';

export const SESSION_SECRET = 'test-session-secret';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * A scripted runtime for the GraphQL layer's unit tests: it records what it receives, answers
 * "Procesando…" (status processing) and publishes like the real runtime. Agent operations act on a
 * view whose status a test set to `handoff` (409 otherwise, as the real runtime) and are recorded.
 */
export function createStubServices(options: { adminToken?: string; bus?: EventBus } = {}) {
  const bus = options.bus ?? createMemoryEventBus();
  const received: InboundMessage[] = [];
  const views = new Map<string, ConversationView>();
  const transcripts = new Map<string, TranscriptEntry[]>();
  /** Event logs a test stores (`timeline` reads them). */
  const events = new Map<string, EventLogEntry[]>();
  const failure: { next: Error | null } = { next: null };
  const agentCalls: { op: 'reply' | 'release'; conversationId: string; text?: string; agent?: AgentLabel }[] = [];
  /** Identity turns and erasures, in order (`identity` for a link). */
  const identityCalls: { op: 'linked' | 'unlinked' | 'erase'; conversationId: string; identity?: LinkedIdentity }[] =
    [];

  /** An identity turn: 409 for an unknown conversation, as the real runtime. */
  const identityTurn = async (conversationId: string, identity?: LinkedIdentity): Promise<TurnResult> => {
    if (failure.next) throw failure.next;
    const view = views.get(conversationId);
    if (!view) throw new ConflictError('unknown conversation', { conversationId });
    identityCalls.push(identity ? { op: 'linked', conversationId, identity } : { op: 'unlinked', conversationId });
    const text = identity ? `Listo, ${identity.fullName} (${identity.role}).` : 'Desvinculé tu cuenta.';
    return {
      conversationId,
      replies: [{ conversationId, text }],
      state: view.state,
      status: view.status,
      duplicate: false,
    };
  };

  /** A reply (signed like the machine does: "Ana (supervisora)") or the release. */
  const agentTurn = async (
    conversationId: string,
    text: string,
    release: boolean,
    agent?: AgentLabel,
  ): Promise<TurnResult> => {
    if (failure.next) throw failure.next;
    const view = views.get(conversationId);
    if (view?.status !== 'handoff') throw new ConflictError('conversation is not handed off to a person');
    agentCalls.push(
      release ? { op: 'release', conversationId } : { op: 'reply', conversationId, text, ...(agent ? { agent } : {}) },
    );
    const status = release ? 'idle' : 'handoff';
    const state = release ? 'idle' : 'handoff';
    views.set(conversationId, { ...view, state, status, version: view.version + 1 });
    const label = agent ? `${agent.name}${agent.role ? ` (${agent.role})` : ''}` : undefined;
    const reply = label ? { conversationId, text: `${label}: ${text}`, agent: label } : { conversationId, text };
    return { conversationId, replies: [reply], state, status, duplicate: false };
  };

  const runtime: ConversationRuntime = {
    notifyOrderChange: async () => null,
    async receive(message): Promise<TurnResult> {
      if (failure.next) throw failure.next;
      received.push(message);
      const id = message.conversationId;
      const previous = views.get(id);
      const at = new Date().toISOString();
      const inbound: TranscriptEntry = {
        conversationId: id,
        direction: 'in',
        text: message.text ?? '',
        ...(message.action ? { action: message.action } : {}),
        messageId: message.id,
        at: message.receivedAt,
      };
      const reply = { conversationId: id, text: 'Procesando…', buttons: [{ id: 'cancel', title: 'Cancelar' }] };
      const outbound: TranscriptEntry = {
        conversationId: id,
        direction: 'out',
        text: reply.text,
        buttons: reply.buttons,
        at,
      };
      const view: ConversationView = {
        id,
        channel: message.channel,
        userId: message.user.id,
        state: 'workOrderStatus.waiting',
        status: 'processing',
        version: (previous?.version ?? 0) + 1,
        machineVersion: 1,
        pendingWorkflow: { dagId: 'consultar_estado_ot', runId: 'run-1', startedAt: 0, deadline: 120_000 },
        createdAt: previous?.createdAt ?? at,
        updatedAt: at,
      };
      views.set(id, view);
      transcripts.set(id, [...(transcripts.get(id) ?? []), inbound, outbound]);
      bus.publish(topics.messages(id), inbound);
      bus.publish(topics.messages(id), outbound);
      bus.publish(topics.state(id), {
        conversationId: id,
        state: view.state,
        status: view.status,
        version: view.version,
        pendingWorkflow: view.pendingWorkflow,
      });
      return { conversationId: id, replies: [reply], state: view.state, status: view.status, duplicate: false };
    },
    deliverWorkflowResult: () => Promise.reject(new Error('not scripted')),
    agentReply: (conversationId, text, agent) => agentTurn(conversationId, text, false, agent),
    releaseHandoff: (conversationId) => agentTurn(conversationId, 'Volviste al asistente automático.', true),
    identityLinked: (conversationId, identity) => identityTurn(conversationId, identity),
    identityUnlinked: (conversationId) => identityTurn(conversationId),
    async erase(conversationId) {
      if (failure.next) throw failure.next;
      identityCalls.push({ op: 'erase', conversationId });
      views.delete(conversationId);
      transcripts.delete(conversationId);
    },
    recordDeliveryStatus: async () => {},
    getConversation: async (id) => views.get(id) ?? null,
    transcript: async (id, limit = 50) => (transcripts.get(id) ?? []).slice(-limit),
    track: () => {},
    drain: async () => {},
  };

  const store = {
    async readEvents(id: string, limit = 1000) {
      return (events.get(id) ?? []).slice(-limit);
    },
    async listConversations(offset: number, limit: number) {
      const ids = [...views.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).map((view) => view.id);
      return { total: ids.length, ids: ids.slice(offset, offset + limit) };
    },
  } as unknown as ConversationStore;

  const services: GraphqlServices = {
    runtime,
    store,
    bus,
    config: { sessionSecret: SESSION_SECRET, adminToken: options.adminToken, transcriptLimit: 200 },
    logger: silentLogger,
    parseBrowserMessage,
  };
  return { services, received, views, failure, bus, agentCalls, identityCalls, events };
}
