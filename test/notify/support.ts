import type { ConversationStore } from '../../core/store/types.ts';
import { signBody } from '../../core/workflows/callback.ts';

export const NOTIFY_SECRET = 'notify-test-callback-secret';
export const IDENTITY_KEY = 'notify-identity-key-of-32-chars!';

/** A change as the `notificar_cambios_ot` DAG posts it (snake_case). */
export function wireChange(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    change_id: '9001:1',
    order_id: 9001,
    number: 'OT-NOTIFY-1',
    equipment: 'Excavadora CAT 320',
    state: 'Completada',
    previous_state: 'En Progreso',
    technician_id: 10,
    technician_name: 'Juan Pérez',
    previous_technician_id: 10,
    previous_technician_name: 'Juan Pérez',
    requester_id: 4,
    observations: null,
    ...overrides,
  };
}

/** POSTs a body to `/api/bot/notify`, signed with `secret` (or with a header of the caller's). */
export async function postNotify(
  url: string,
  body: unknown,
  options: { secret?: string; signature?: string | null } = {},
): Promise<Response> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const signature =
    options.signature === undefined ? signBody(options.secret ?? NOTIFY_SECRET, raw) : options.signature;
  return fetch(`${url}/api/bot/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-omnibot-signature': signature } : {}) },
    body: raw,
    signal: AbortSignal.timeout(30_000),
  });
}

/** The `order.changed` turns a conversation took (the event log). */
export async function orderChangedEvents(store: ConversationStore, conversationId: string) {
  return (await store.readEvents(conversationId, 200)).filter((entry) => entry.event.type === 'order.changed');
}

/** Polls `read` until `done` holds (at most `timeoutMs`); the last value either way. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
