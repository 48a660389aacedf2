import type { Context, Hono } from 'hono';
import { receiveInBackground, storeAccepting } from '../delivery/inbound.ts';
import { UnavailableError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { ConversationRuntime } from '../runtime/types.ts';
import type { InboundMessage } from '../types.ts';
import { readRawBytes } from './read-json.ts';

/** What one verified, parsed webhook delivery holds for the runtime. */
export interface WebhookDelivery {
  /**
   * Messages for the runtime, handed over after the 200: in order per conversation, retried while
   * the store fails, each processed once (the runtime deduplicates on `conversationId:id`, across
   * processes and restarts, so a platform's resend is answered once).
   */
  messages: InboundMessage[];
  /** The rest of the delivery (statuses, notices, button spinners), also after the 200; must not throw. */
  alongside?: () => Promise<void>;
  /** A conversation to probe before promising to process (default: the first message's). */
  probe?: string;
}

/**
 * One webhook channel's steps; everything else (size cap, store probe, background work, errors) is
 * the route's. Steps throw errors from `core/errors.ts` (`AuthError` → 401, `ValidationError` → 400,
 * …): `app.onError` renders them.
 */
export interface WebhookSpec<T> {
  /** `/webhooks/<channel>`. */
  path: string;
  runtime: ConversationRuntime;
  logger: Logger;
  maxBodyBytes: number;
  /** Aborted on close: background retries of inbound messages stop. */
  signal?: AbortSignal;
  /** Authenticates the delivery (a signature over the raw bytes, a secret header); throws `AuthError`. */
  verify(c: Context, raw: Buffer): void | Promise<void>;
  /** The platform's payload (JSON, form fields, …) as the channel's delivery; throws `ValidationError`. */
  parse(raw: Buffer, c: Context): T;
  /** What the runtime gets from the delivery. */
  receive(parsed: T): WebhookDelivery;
  /** The 200 answer the platform expects (default `{ "ok": true }`; TwiML for SMS). */
  respond?(c: Context, parsed: T): Response;
}

/** How long a store that does not answer is waited for before the delivery is refused (503). */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * `POST <path>`: read the raw body (413 past the cap) → verify (401) → parse (400) → probe the store
 * (503: the platform delivers again later, instead of the message being lost after a 200) → 200 at
 * once, the runtime processing the messages after it (platforms resend slow answers; shutdown waits
 * for the work through `runtime.track`).
 */
export function mountWebhookRoute<T>(app: Hono, spec: WebhookSpec<T>): void {
  app.post(spec.path, async (c) => {
    const raw = await readRawBytes(c, spec.maxBodyBytes);
    await spec.verify(c, raw);
    const parsed = spec.parse(raw, c);
    const delivery = spec.receive(parsed);
    const probe = delivery.probe ?? delivery.messages[0]?.conversationId;
    if (probe && !(await storeAccepting(spec.runtime, probe, spec.logger, PROBE_TIMEOUT_MS))) {
      throw new UnavailableError('unavailable', 'the conversation store is unavailable; deliver again later');
    }
    spec.runtime.track(process(delivery, spec));
    return spec.respond ? spec.respond(c, parsed) : c.json({ ok: true }, 200);
  });
}

async function process<T>(delivery: WebhookDelivery, spec: WebhookSpec<T>): Promise<void> {
  await Promise.all([
    receiveInBackground(spec.runtime, delivery.messages, spec.logger, spec.signal ? { signal: spec.signal } : {}),
    delivery.alongside?.(),
  ]);
}
