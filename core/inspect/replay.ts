import { createActor, type InspectionEvent, waitFor } from 'xstate';
import type { CmmsUserSummary, WorkOrderSummary } from '../../workflows/cmms.ts';
import { OmnibotError } from '../errors.ts';
import { provideServices } from '../runtime/invocations.ts';
import type {
  ConversationEvent,
  ConversationModel,
  ConversationSnapshotView,
  IssuedLink,
  ReplyEmitted,
} from '../runtime/model.ts';
import type { EventLogEntry, Invocation } from '../store/types.ts';
import type { EquipmentSummary } from '../workflows/results.ts';

export class ReplayVersionError extends OmnibotError {
  constructor(recorded: number | undefined, at: string, current: number) {
    super(
      'replay_version_mismatch',
      `the event of ${at} was processed by machine version ${recorded ?? 'unknown'}, this build runs version ${current}: ` +
        'a replay would not reproduce what happened (check out the matching version to replay it)',
      409,
      { recorded, current },
    );
  }
}

export interface TimelineEntry {
  at: string;
  channel: string;
  event: string;
  recordedState: string;
  replayedState: string;
  matches: boolean;
  replies: string[];
}

export interface ReplayResult {
  timeline: TimelineEntry[];
  finalState: string;
  matches: boolean;
}

/** `user.message "hola"`, `workflow.result success (reportar_falla)`… */
export function describeEvent(event: Record<string, unknown>): string {
  const type = String(event.type);
  if (type === 'user.message') {
    const said = event.action ? `[${String(event.action)}]` : JSON.stringify(String(event.text ?? '').slice(0, 60));
    return `${type} ${said}`;
  }
  if (type === 'workflow.result') return `${type} ${String(event.status)} (${String(event.dagId)})`;
  return type;
}

/**
 * Replays a conversation's event log through the current machine, with the invoked actors answering
 * what they answered then (no CMMS, no Airflow). Starts at the last fresh start in the log.
 */
export async function replayEventLog(
  model: ConversationModel,
  conversationId: string,
  log: EventLogEntry[],
  options: { inspect?: (event: InspectionEvent) => void; workflowTimeoutMs?: number } = {},
): Promise<ReplayResult> {
  const entries = log.filter((entry) => entry.event.type !== 'delivery.status');
  let start = 0;
  entries.forEach((entry, i) => {
    if (entry.stateBefore === null) start = i;
  });
  const relevant = entries.slice(start);
  for (const entry of relevant) {
    if (entry.machineVersion !== model.version) {
      throw new ReplayVersionError(entry.machineVersion, entry.at, model.version);
    }
  }

  let recordedAnswers: Invocation[] = [];
  const answer = async (src: string) => {
    const index = recordedAnswers.findIndex((i) => i.src === src);
    const recorded = index >= 0 ? recordedAnswers.splice(index, 1)[0] : undefined;
    if (!recorded) throw new Error(`the log has no recorded answer of ${src} here`);
    if (recorded.error) throw Object.assign(new Error(recorded.error.message), recorded.error);
    return recorded.output;
  };
  // Each actor answers what the log recorded (an issued link as recorded: its URL redacted).
  const machine = provideServices(model.machine, {
    startWorkflow: async () => {
      await answer('startWorkflow');
    },
    findEquipment: async () => (await answer('findEquipment')) as EquipmentSummary[],
    issueLink: async () => (await answer('issueLink')) as IssuedLink,
    unlinkIdentity: async () => (await answer('unlinkIdentity')) as boolean,
    findWorkOrder: async () => (await answer('findWorkOrder')) as WorkOrderSummary | null,
    findTechnicians: async () => (await answer('findTechnicians')) as CmmsUserSummary[],
  });
  const first = relevant[0];
  const actor = createActor(machine, {
    input: {
      conversationId,
      workflowTimeoutMs: options.workflowTimeoutMs ?? 120_000,
      now: first ? Number(first.event.at) : Date.now(),
    },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });
  let replies: string[] = [];
  actor.on('reply', (e: ReplyEmitted) => replies.push(e.reply.text));
  actor.start();

  const timeline: TimelineEntry[] = [];
  try {
    for (const entry of relevant) {
      recordedAnswers = [...(entry.invocations ?? [])];
      replies = [];
      actor.send(entry.event as unknown as ConversationEvent);
      const after = await waitFor(actor, (s) => !(s as ConversationSnapshotView).hasTag('busy'), { timeout: 5_000 });
      const replayedState = model.stateName(after.value);
      timeline.push({
        at: entry.at,
        channel: entry.channel ?? '',
        event: describeEvent(entry.event),
        recordedState: entry.stateAfter,
        replayedState,
        matches: replayedState === entry.stateAfter,
        replies,
      });
    }
  } finally {
    actor.stop();
  }
  const finalState = model.stateName(actor.getSnapshot().value);
  return { timeline, finalState, matches: timeline.every((t) => t.matches) };
}
