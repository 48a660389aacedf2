import * as v from 'valibot';
import { isRecord } from '../../lib/is-record.ts';
import { OmnibotError, ValidationError } from '../errors.ts';
import { cleanNumber, cleanText, isChangeId, TEXT_LIMITS } from './limits.ts';
import { closingObservations } from './observations.ts';
import type { NotifyChange } from './types.ts';

/** Changes one `POST /api/bot/notify` may carry. */
export const MAX_CHANGES = 500;
/** A body signed longer ago than this is refused (a replay): 400 `stale`. */
export const MAX_SENT_AGE_MS = 10 * 60_000;
/** A body signed further ahead than this (a wrong clock) is refused too. */
export const MAX_SENT_AHEAD_MS = 5 * 60_000;

const positiveId = (name: string) =>
  v.pipe(
    v.number(`${name} must be a positive integer`),
    v.safeInteger(`${name} must be a positive integer`),
    v.minValue(1, `${name} must be a positive integer`),
  );

/** A label from the CMMS (equipment, state, a person's name): made one line and cut to `max` characters. */
const label = (name: string, max: number) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.transform((value) => cleanText(value, max)),
  );

const ChangeSchema = v.pipe(
  v.object(
    {
      change_id: v.pipe(
        v.string('change_id must be a string'),
        v.check(isChangeId, 'change_id must be "<order id>:<sequence>"'),
      ),
      order_id: positiveId('order_id'),
      number: v.pipe(
        v.string('number must be a string'),
        v.transform(cleanNumber),
        v.minLength(1, 'number must be a non-empty string'),
        v.maxLength(TEXT_LIMITS.number, `number exceeds ${TEXT_LIMITS.number} characters`),
      ),
      equipment: label('equipment', TEXT_LIMITS.equipment),
      state: label('state', TEXT_LIMITS.state),
      previous_state: v.nullish(label('previous_state', TEXT_LIMITS.state)),
      technician_id: v.nullish(positiveId('technician_id')),
      technician_name: v.nullish(label('technician_name', TEXT_LIMITS.name)),
      previous_technician_id: v.nullish(positiveId('previous_technician_id')),
      previous_technician_name: v.nullish(label('previous_technician_name', TEXT_LIMITS.name)),
      requester_id: v.nullish(positiveId('requester_id')),
      // Never the assistant's own report note, whoever detected the change (an older DAG sent it).
      observations: v.nullish(v.pipe(v.string('observations must be a string'), v.transform(closingObservations))),
      priority: v.nullish(label('priority', TEXT_LIMITS.priority)),
      equipment_code: v.nullish(label('equipment_code', TEXT_LIMITS.equipmentCode)),
      description: v.nullish(label('description', TEXT_LIMITS.description)),
    },
    'change must be an object',
  ),
  v.check((change) => change.change_id.startsWith(`${change.order_id}:`), 'change_id must start with its order_id'),
);

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const EnvelopeSchema = v.object({
  source: v.optional(v.pipe(v.string('source must be a string'), v.maxLength(100, 'source exceeds 100 characters'))),
  changes: v.pipe(
    v.array(v.unknown(), 'changes must be a list'),
    v.maxLength(MAX_CHANGES, `changes holds more than ${MAX_CHANGES} items`),
  ),
  sent_at: v.pipe(
    v.string('sent_at must be an ISO 8601 time'),
    v.check((value) => ISO_TIME.test(value) && Number.isFinite(Date.parse(value)), 'sent_at must be an ISO 8601 time'),
  ),
});

/** An item of the body that was not taken, as the route answers it. */
export interface RejectedChange {
  index: number;
  change_id?: string;
  reason: string;
}

export interface NotifyBody {
  changes: NotifyChange[];
  rejected: RejectedChange[];
}

/**
 * The body: its envelope checked as a whole (400 naming the first wrong field; 400 `stale` for a
 * `sent_at` out of its window), each change on its own: a wrong one is rejected (with its index and
 * why), the others are taken. Unknown fields are ignored.
 */
export function parseNotifyBody(body: Record<string, unknown>, now: number): NotifyBody {
  const envelope = v.safeParse(EnvelopeSchema, body);
  if (!envelope.success) throw new ValidationError(reasonOf(envelope.issues));
  const sentAt = Date.parse(envelope.output.sent_at);
  if (sentAt < now - MAX_SENT_AGE_MS || sentAt > now + MAX_SENT_AHEAD_MS) {
    throw new OmnibotError(
      'stale',
      'sent_at is more than 10 minutes old or 5 minutes ahead: build and sign the body again',
      400,
    );
  }
  const changes: NotifyChange[] = [];
  const rejected: RejectedChange[] = [];
  envelope.output.changes.forEach((item, index) => {
    const parsed = v.safeParse(ChangeSchema, item);
    if (parsed.success) changes.push(changeOf(parsed.output));
    else rejected.push({ index, ...changeIdOf(item), reason: reasonOf(parsed.issues) });
  });
  return { changes, rejected };
}

/** The first issue, naming its field: "changes is required", "order_id: order_id must be …". */
function reasonOf(issues: readonly [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): string {
  const issue = issues[0];
  const path = v.getDotPath(issue);
  if (!path) return issue.message;
  return issue.input === undefined ? `${path} is required` : `${path}: ${issue.message}`;
}

/** The rejected item's change id, when it has one worth echoing (a short one-line string). */
function changeIdOf(item: unknown): { change_id?: string } {
  if (!isRecord(item) || typeof item.change_id !== 'string') return {};
  const id = cleanText(item.change_id, 40);
  return id ? { change_id: id } : {};
}

type WireChange = v.InferOutput<typeof ChangeSchema>;

/** snake_case on the wire, the runtime's `OrderChange` inside; a null or empty value is absent. */
function changeOf(wire: WireChange): NotifyChange {
  const optional = <K extends string, T>(key: K, value: T | null | undefined) =>
    (value === null || value === undefined || value === '' ? {} : { [key]: value }) as Partial<Record<K, T>>;
  return {
    changeId: wire.change_id,
    orderId: wire.order_id,
    number: wire.number,
    equipment: wire.equipment,
    ...optional('equipmentCode', wire.equipment_code),
    state: wire.state,
    // Null for an order new since the last look; a state may be named "" (the CMMS left it empty).
    ...(wire.previous_state != null ? { previousState: wire.previous_state } : {}),
    ...optional('technicianId', wire.technician_id),
    ...optional('technicianName', wire.technician_name),
    ...optional('previousTechnicianId', wire.previous_technician_id),
    ...optional('previousTechnicianName', wire.previous_technician_name),
    ...optional('requesterId', wire.requester_id),
    ...optional('observations', wire.observations),
    ...optional('priority', wire.priority),
    ...optional('description', wire.description),
  };
}
