import * as v from 'valibot';
import { ValidationError } from '../errors.ts';
import type { NotifyChange } from './types.ts';

/** Changes one `POST /api/bot/notify` may carry. */
export const MAX_CHANGES = 500;

const positiveId = (name: string) =>
  v.pipe(
    v.number(`${name} must be a positive integer`),
    v.safeInteger(`${name} must be a positive integer`),
    v.minValue(1, `${name} must be a positive integer`),
  );

/** A label from the CMMS (equipment, state, a person's name): trimmed and cut to `max` characters. */
const label = (name: string, max: number) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.transform((value) => value.trim().slice(0, max)),
  );

const ChangeSchema = v.pipe(
  v.object({
    change_id: v.pipe(
      v.string('change_id must be a string'),
      v.regex(/^\d{1,15}:\d{1,15}$/, 'change_id must be "<order id>:<sequence>"'),
    ),
    order_id: positiveId('order_id'),
    number: v.pipe(
      v.string('number must be a string'),
      v.trim(),
      v.minLength(1, 'number must be a non-empty string'),
      v.maxLength(100, 'number exceeds 100 characters'),
    ),
    equipment: label('equipment', 200),
    state: label('state', 100),
    previous_state: v.nullish(label('previous_state', 100)),
    technician_id: v.nullish(positiveId('technician_id')),
    technician_name: v.nullish(label('technician_name', 200)),
    previous_technician_id: v.nullish(positiveId('previous_technician_id')),
    previous_technician_name: v.nullish(label('previous_technician_name', 200)),
    requester_id: v.nullish(positiveId('requester_id')),
    observations: v.nullish(label('observations', 2000)),
  }),
  v.check((change) => change.change_id.startsWith(`${change.order_id}:`), 'change_id must start with its order_id'),
);

const BodySchema = v.object({
  source: v.optional(v.pipe(v.string('source must be a string'), v.maxLength(100, 'source exceeds 100 characters'))),
  changes: v.pipe(
    v.array(ChangeSchema, 'changes must be a list'),
    v.maxLength(MAX_CHANGES, `changes holds more than ${MAX_CHANGES} items`),
  ),
});

type WireChange = v.InferOutput<typeof ChangeSchema>;

/** The body's changes, checked (400 naming the first wrong field); unknown fields are ignored. */
export function parseNotifyBody(body: Record<string, unknown>): NotifyChange[] {
  const parsed = v.safeParse(BodySchema, body);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue);
    if (!path) throw new ValidationError(issue.message);
    throw new ValidationError(issue.input === undefined ? `${path} is required` : `${path}: ${issue.message}`);
  }
  return parsed.output.changes.map(changeOf);
}

/** snake_case on the wire, the runtime's `OrderChange` inside; a null or empty value is absent. */
function changeOf(wire: WireChange): NotifyChange {
  const optional = <K extends string, T>(key: K, value: T | null | undefined) =>
    (value === null || value === undefined || value === '' ? {} : { [key]: value }) as Partial<Record<K, T>>;
  return {
    changeId: wire.change_id,
    orderId: wire.order_id,
    number: wire.number,
    equipment: wire.equipment,
    state: wire.state,
    // Null for an order new since the last look; a state may be named "" (the CMMS left it empty).
    ...(wire.previous_state != null ? { previousState: wire.previous_state } : {}),
    ...optional('technicianId', wire.technician_id),
    ...optional('technicianName', wire.technician_name),
    ...optional('previousTechnicianId', wire.previous_technician_id),
    ...optional('previousTechnicianName', wire.previous_technician_name),
    ...optional('requesterId', wire.requester_id),
    ...optional('observations', wire.observations),
  };
}
