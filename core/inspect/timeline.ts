import type { ConversationStore, EventLogEntry, Invocation } from '../store/types.ts';
import { clip, MAX_TEXT } from './sanitize.ts';

/**
 * A conversation's timeline for operators: each event-log entry (what happened, the state before and
 * after, the invoked actors and what they answered), sanitized like inspection records: user texts
 * cut at 200 characters, one-time link codes redacted, no key that names a secret.
 */

/** An invoked actor (a CMMS lookup, a workflow start) or a workflow's answer, as JSON strings. */
export interface TimelineActor {
  name: string;
  input: string | null;
  output: string | null;
  error: string | null;
}

export interface TimelineRecord {
  conversationId: string;
  at: string;
  channel: string;
  /** The conversation's version after the event. */
  version: number;
  /** The event's type (`user.message`, `workflow.result`, …). */
  event: string;
  detail: string;
  /** What a typed message was understood to say (`understoodSummary`); absent for other events. */
  understood?: string;
  stateBefore: string | null;
  stateAfter: string;
  actors: TimelineActor[];
}

/** Delivery receipts sit in the event log too; they are not conversation events. */
const RECEIPT = 'delivery.status';

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(clip(value)));
const text = (value: unknown): string => String(clip(typeof value === 'string' ? value : String(value ?? '')));
const quoted = (value: unknown): string => JSON.stringify(text(value));

function errorText(error: unknown): string | null {
  if (error === undefined || error === null) return null;
  if (typeof error !== 'object') return text(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  return text([code, message].filter((part) => part !== undefined && part !== '').join(': ') || 'error');
}

/** A short, sanitized summary of the event (its text, the pressed button, the workflow's status…). */
export function describeForTimeline(event: Record<string, unknown>): string {
  switch (event.type) {
    case 'user.message': {
      const said = event.action !== undefined ? `[${text(event.action)}]` : quoted(event.text);
      return event.hasAttachments === true ? `${said} (+ adjunto)` : said;
    }
    case 'agent.message': {
      const agent = event.agent as { name?: unknown; role?: unknown } | undefined;
      const label = agent?.name ? `${text(agent.name)}${agent.role ? ` (${text(agent.role)})` : ''}: ` : '';
      return `${label}${quoted(event.text)}`;
    }
    case 'workflow.result': {
      const error = event.status === 'failed' ? errorText(event.error) : null;
      return `${text(event.status)} (${text(event.dagId)})${error ? ` ${error}` : ''}`;
    }
    case 'workflow.timeout':
      return `ejecución ${text(event.runId)} sin respuesta`;
    case 'order.changed': {
      const change = (event.change ?? {}) as Record<string, unknown>;
      const from = change.previousState ? `${text(change.previousState)} → ` : '';
      return `${text(change.number)}: ${from}${text(change.state)} (${text(event.relation)})`;
    }
    case 'identity.linked': {
      const identity = (event.identity ?? {}) as Record<string, unknown>;
      return `${text(identity.username)} (${text(identity.role)})`;
    }
    default: {
      const { type: _type, at: _at, ...rest } = event;
      const summary = JSON.stringify(clip(rest));
      return summary === '{}' ? '' : summary.length > MAX_TEXT ? `${summary.slice(0, MAX_TEXT)}…` : summary;
    }
  }
}

/**
 * A typed message's understanding in one line: `report_failure (classifier 0.91) · equipment CAT-002 ·
 * priority Crítica · description "tiene una fuga de aceite"`; undefined when the event has none.
 */
export function understoodSummary(event: Record<string, unknown>): string | undefined {
  const understood = event.understood as
    | { intent?: unknown; by?: unknown; score?: unknown; slots?: Record<string, unknown> }
    | undefined;
  if (event.type !== 'user.message' || !understood || typeof understood !== 'object') return undefined;
  const score = typeof understood.score === 'number' ? ` ${understood.score.toFixed(2)}` : '';
  const parts = [`${text(understood.intent)} (${text(understood.by)}${score})`];
  const slots = understood.slots ?? {};
  const equipment = slots.equipment as { mention?: unknown; codes?: unknown; code?: unknown } | undefined;
  if (equipment) {
    const codes = Array.isArray(equipment.codes) && equipment.codes.length ? equipment.codes : [equipment.code];
    parts.push(`equipment ${codes.filter(Boolean).map(text).join('|') || quoted(equipment.mention)}`);
  }
  if (slots.priority !== undefined) parts.push(`priority ${text(slots.priority)}`);
  if (slots.workOrder !== undefined) parts.push(`order ${text(slots.workOrder)}`);
  if (slots.technician !== undefined) parts.push(`technician ${quoted(slots.technician)}`);
  if (slots.description !== undefined) parts.push(`description ${quoted(slots.description)}`);
  return parts.join(' · ');
}

const invocationActor = (invocation: Invocation): TimelineActor => ({
  name: String(invocation.src),
  input: null,
  output: json(invocation.output),
  error: errorText(invocation.error),
});

/** The workflow's own answer (it arrives as an event, not as an invoked actor's output). */
function workflowActor(event: Record<string, unknown>): TimelineActor | null {
  if (event.type === 'workflow.result') {
    return {
      name: text(event.dagId),
      input: json({ runId: event.runId }),
      output: event.status === 'success' ? json(event.result ?? null) : null,
      error: event.status === 'success' ? null : (errorText(event.error) ?? 'failed'),
    };
  }
  if (event.type === 'workflow.timeout') {
    return { name: 'workflow', input: json({ runId: event.runId }), output: null, error: 'timeout' };
  }
  return null;
}

export function timelineRecord(conversationId: string, entry: EventLogEntry): TimelineRecord {
  const event = entry.event ?? {};
  const workflow = workflowActor(event);
  const understood = understoodSummary(event);
  return {
    conversationId,
    at: entry.at,
    channel: entry.channel ?? '',
    version: entry.version,
    event: String(event.type ?? ''),
    detail: describeForTimeline(event),
    ...(understood !== undefined ? { understood } : {}),
    stateBefore: entry.stateBefore,
    stateAfter: entry.stateAfter,
    actors: [...(entry.invocations ?? []).map(invocationActor), ...(workflow ? [workflow] : [])],
  };
}

/** The last `last` entries of the stored event log (delivery receipts left out), oldest first. */
export async function readTimeline(
  store: Pick<ConversationStore, 'readEvents'>,
  conversationId: string,
  last: number,
): Promise<TimelineRecord[]> {
  const entries = await store.readEvents(conversationId, last);
  return entries
    .filter((entry) => entry.event?.type !== RECEIPT)
    .slice(-last)
    .map((entry) => timelineRecord(conversationId, entry));
}
