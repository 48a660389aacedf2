import type { ChannelState } from '../../core/delivery/channel-state.ts';
import type { Button, OutboundMessage } from '../../core/types.ts';
import { isRecord } from '../../lib/is-record.ts';
import { WINDOW } from './types.ts';

/**
 * Each user's 24-hour customer-service window and the messages held while it is closed, in the
 * channel's own state (`host.channelState`: Redis with REDIS_URL, so every gateway process sees the
 * same windows). Keys: `window:<wa_id>` (when the user's last message was written, epoch ms, kept
 * until the window closes) and `held:<wa_id>` (a list of JSON messages, kept `WINDOW.heldTtlMs`).
 */
export interface CustomerWindows {
  /** The user wrote at `at` (epoch ms): their window is open until 24 h later; an older message changes nothing. */
  opened(address: string, at: number): Promise<void>;
  /** When the user's open window started; null when it is closed (never opened, or 24 h passed). */
  openedAt(address: string): Promise<number | null>;
  /** The platform refused a free-form message (131047): the record opened at `openedAt` is stale, dropped. */
  refused(address: string, openedAt: number): Promise<void>;
  /** Keeps a message until the user writes again; the number now held. */
  hold(address: string, message: OutboundMessage): Promise<number>;
  /** Takes every held message of the user, oldest first (one taker wins). */
  takeHeld(address: string): Promise<OutboundMessage[]>;
  /**
   * Drops the user's held messages (personal data erased). The window record (a time, no content)
   * stays until it expires by itself within 24 h: the erase's own confirmation may still be on its way.
   */
  forget(address: string): Promise<void>;
}

const windowKey = (address: string) => `window:${address}`;
const heldKey = (address: string) => `held:${address}`;

/**
 * When a message opened the window: the platform's timestamp (`receivedAt`, the time of arrival when
 * the timestamp was missing or broken), never later than now (a clock ahead of ours).
 */
export function windowStart(receivedAt: string, now: number): number {
  const at = Date.parse(receivedAt);
  return Number.isFinite(at) ? Math.min(at, now) : now;
}

/** A held message read back: only the fields of an `OutboundMessage`, for this user; null when it is not one. */
function heldMessage(raw: string, conversationId: string): OutboundMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(value) || value['conversationId'] !== conversationId || typeof value['text'] !== 'string') return null;
  const message: OutboundMessage = { conversationId, text: value['text'] };
  const buttons = value['buttons'];
  if (Array.isArray(buttons)) {
    message.buttons = buttons.filter(
      (b): b is Button => isRecord(b) && typeof b['id'] === 'string' && typeof b['title'] === 'string',
    );
  }
  if (typeof value['replyTo'] === 'string') message.replyTo = value['replyTo'];
  if (typeof value['agent'] === 'string') message.agent = value['agent'];
  const kind = value['kind'];
  if (kind === 'processing' || kind === 'result' || kind === 'notification' || kind === 'agent') message.kind = kind;
  const template = value['template'];
  if (
    isRecord(template) &&
    typeof template['orderNumber'] === 'string' &&
    typeof template['equipment'] === 'string' &&
    typeof template['state'] === 'string'
  ) {
    message.template = {
      orderNumber: template['orderNumber'],
      equipment: template['equipment'],
      state: template['state'],
    };
  }
  return message;
}

export function createCustomerWindows(
  state: ChannelState,
  conversationIdOf: (address: string) => string,
  now: () => number = Date.now,
): CustomerWindows {
  const openedAt = async (address: string): Promise<number | null> => {
    const value = await state.get(windowKey(address));
    const at = value === null ? Number.NaN : Number(value);
    return Number.isFinite(at) ? at : null;
  };
  return {
    async opened(address, at) {
      // Closed a little early: a send at the edge would race the platform's clock.
      const ttlMs = at + WINDOW.lengthMs - WINDOW.marginMs - now();
      if (ttlMs <= 0) return;
      const current = Number(await state.get(windowKey(address)));
      if (Number.isFinite(current) && current >= at) return;
      await state.set(windowKey(address), String(at), ttlMs);
    },
    openedAt,
    async refused(address, at) {
      // A message the user wrote meanwhile reopened it: that record stays.
      if ((await openedAt(address)) === at) await state.delete(windowKey(address));
    },
    hold: (address, message) => state.push(heldKey(address), JSON.stringify(message), WINDOW.heldTtlMs),
    async takeHeld(address) {
      const conversationId = conversationIdOf(address);
      return (await state.takeAll(heldKey(address)))
        .map((raw) => heldMessage(raw, conversationId))
        .filter((message): message is OutboundMessage => message !== null);
    },
    async forget(address) {
      await state.delete(heldKey(address));
    },
  };
}
