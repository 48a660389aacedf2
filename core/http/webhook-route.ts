import type { Context, Hono } from 'hono';
import { receiveInBackground, storeAccepting } from '../delivery/inbound.ts';
import { UnavailableError } from '../errors.ts';
import type { PluginHost } from '../plugin.ts';
import { createSerialQueue } from '../runtime/serial-queue.ts';
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
  /**
   * A conversation to probe before promising to process (default: the first message's). `false`: no
   * probe, 200 even while the store is down — for a platform that never redelivers (SMS), whose
   * messages are then retried here for longer (`WebhookSpec.retryDelaysMs`).
   */
  probe?: string | false;
}

/**
 * One webhook channel's steps; everything else (size cap, store probe, background work, errors) is
 * the route's. Steps throw errors from `core/errors.ts` (`AuthError` → 401, `ValidationError` → 400,
 * …): `app.onError` renders them. A channel gives `authenticate`, `verify` or both.
 */
export interface WebhookSpec<T> {
  /** `/webhooks/<channel>`. */
  path: string;
  /** The channel's host: its runtime, its logger and the body cap (`config.maxBodyBytes`). */
  host: Pick<PluginHost, 'runtime' | 'logger' | 'config'>;
  /** Aborted on close: background retries of inbound messages stop. */
  signal?: AbortSignal;
  /**
   * Authenticates the request from what comes before its body (a secret header); throws `AuthError`.
   * Runs BEFORE the body is read: an unauthenticated request is refused (401) without being buffered.
   */
  authenticate?(c: Context): void | Promise<void>;
  /** Authenticates the delivery from its raw bytes (a signature over the body); throws `AuthError`. */
  verify?(c: Context, raw: Buffer): void | Promise<void>;
  /** The platform's payload (JSON, form fields, …) as the channel's delivery; throws `ValidationError`. */
  parse(raw: Buffer, c: Context): T;
  /** What the runtime gets from the delivery. */
  receive(parsed: T): WebhookDelivery;
  /**
   * The channel's last look at each message, inside its turn (after the conversation's earlier turns,
   * again if a commit conflict restarts it): e.g. SMS reads a reply "2" as the second button it last
   * offered, from the transcript. What it throws is retried like a store failure.
   */
  prepare?(message: InboundMessage): Promise<InboundMessage>;
  /** Waits between attempts while the store fails (default `INBOUND_RETRY_DELAYS_MS`, about 30 s). */
  retryDelaysMs?: readonly number[];
  /** The 200 answer the platform expects (default `{ "ok": true }`; TwiML for SMS). */
  respond?(c: Context, parsed: T): Response;
}

/**
 * `POST <path>`: authenticate (401, before any byte of the body is read) → read the raw body (413
 * past the cap) → verify (401) → parse (400) → probe the store (503: the platform delivers again
 * later, instead of the message being lost after a 200) → 200 at once, the runtime processing the
 * messages after it (platforms resend slow answers; shutdown waits for the work through `runtime.track`).
 */
export function mountWebhookRoute<T>(app: Hono, spec: WebhookSpec<T>): void {
  if (!spec.authenticate && !spec.verify) {
    throw new Error(`webhook ${spec.path}: give authenticate or verify (a webhook is never open)`);
  }
  const inOrder = createSerialQueue();
  app.post(spec.path, async (c) => {
    await spec.authenticate?.(c);
    const raw = await readRawBytes(c, spec.host.config.maxBodyBytes);
    await spec.verify?.(c, raw);
    const parsed = spec.parse(raw, c);
    const delivery = spec.receive(parsed);
    const probe = delivery.probe === false ? undefined : (delivery.probe ?? delivery.messages[0]?.conversationId);
    // Default timeout: the store's readiness probe's own (storeAccepting).
    if (probe && !(await storeAccepting(spec.host.runtime, probe, spec.host.logger))) {
      throw new UnavailableError('unavailable', 'the conversation store is unavailable; deliver again later');
    }
    spec.host.runtime.track(processDelivery(delivery, spec, inOrder));
    return spec.respond ? spec.respond(c, parsed) : c.json({ ok: true }, 200);
  });
}

/**
 * After the 200: the messages to the runtime, and the rest. A conversation's messages go in the order
 * they arrived, across deliveries too (one message per delivery, as SMS sends them): a message still
 * being retried while the store fails holds the later ones of its conversation back.
 */
async function processDelivery<T>(
  delivery: WebhookDelivery,
  spec: WebhookSpec<T>,
  inOrder: ReturnType<typeof createSerialQueue>,
): Promise<void> {
  const options = {
    ...(spec.signal ? { signal: spec.signal } : {}),
    ...(spec.prepare ? { prepare: (message: InboundMessage) => spec.prepare!(message) } : {}),
    ...(spec.retryDelaysMs ? { delaysMs: spec.retryDelaysMs } : {}),
  };
  await Promise.all([
    ...delivery.messages.map((message) =>
      inOrder.run(message.conversationId, () =>
        receiveInBackground(spec.host.runtime, [message], spec.host.logger, options),
      ),
    ),
    delivery.alongside?.(),
  ]);
}
