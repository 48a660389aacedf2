import { randomUUID } from 'node:crypto';
import type { ChannelState, PushedList } from '../../core/delivery/channel-state.ts';
import type { Button, OutboundMessage } from '../../core/types.ts';
import { isRecord } from '../../lib/is-record.ts';
import { isReplyKind } from '../../lib/reply.ts';
import { WINDOW } from './types.ts';

/**
 * Each user's 24-hour customer-service window and the messages held while it is closed, in the
 * channel's own state (`host.channelState`: Redis with REDIS_URL, so every gateway process sees the
 * same windows). Keys: `window:<wa_id>` (when the user's last message was written, epoch ms, kept
 * until the window closes), `held:<wa_id>` (a list of JSON messages, each with its own `heldId`, kept
 * `WINDOW.heldTtlMs`) and `held-claim:<wa_id>` (the delivery handing them on, kept `WINDOW.heldClaimMs`).
 */
export interface CustomerWindows {
  /** The user wrote at `at` (epoch ms): their window is open until 24 h later; an older message changes nothing. */
  opened(address: string, at: number): Promise<void>;
  /** When the user's open window started; null when it is closed (never opened, or 24 h passed). */
  openedAt(address: string): Promise<number | null>;
  /** The platform refused a free-form message (131047): the record opened at `openedAt` is stale, dropped. */
  refused(address: string, openedAt: number): Promise<void>;
  /**
   * Keeps a message until the user writes again, at most `WINDOW.maxDelivered` (the oldest beyond
   * are dropped): how many are held now and how many were dropped.
   */
  hold(address: string, message: OutboundMessage): Promise<PushedList>;
  /** The user's held messages, oldest first, without removing them; null when none is held. */
  held(address: string): Promise<HeldMessages | null>;
  /** Removes the messages `held` returned, once handed on; messages held since stay. */
  handedOn(address: string, batch: HeldMessages): Promise<void>;
  /**
   * Only one process hands a user's held messages on at a time: the claim (renewed while it lasts,
   * released after), or null when another delivery holds it.
   */
  claimHeld(address: string): Promise<HeldClaim | null>;
  /** True while some delivery holds the user's claim. */
  heldClaimed(address: string): Promise<boolean>;
  /**
   * Drops the user's held messages (personal data erased). The window record (a time, no content)
   * stays until it expires by itself within 24 h: the erase's own confirmation may still be on its way.
   */
  forget(address: string): Promise<void>;
}

/** What `held` read: the messages, and the newest entry as stored (what `handedOn` trims through). */
export interface HeldMessages {
  messages: OutboundMessage[];
  newest: string;
}

export interface HeldClaim {
  /** Keeps the claim another `WINDOW.heldClaimMs` (before each message handed on). */
  renew(): Promise<void>;
  release(): Promise<void>;
}

const windowKey = (address: string) => `window:${address}`;
const heldKey = (address: string) => `held:${address}`;
const claimKey = (address: string) => `held-claim:${address}`;

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
  if (isReplyKind(kind)) message.kind = kind;
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
    // A unique id per entry: `handedOn` trims through exactly the newest entry read.
    hold: (address, message) =>
      state.push(
        heldKey(address),
        JSON.stringify({ ...message, heldId: randomUUID() }),
        WINDOW.heldTtlMs,
        WINDOW.maxDelivered,
      ),
    async held(address) {
      const entries = await state.peek(heldKey(address));
      const newest = entries.at(-1);
      if (newest === undefined) return null;
      const conversationId = conversationIdOf(address);
      const messages = entries
        .map((raw) => heldMessage(raw, conversationId))
        .filter((message): message is OutboundMessage => message !== null);
      return { messages, newest };
    },
    async handedOn(address, batch) {
      await state.dropThrough(heldKey(address), batch.newest);
    },
    async claimHeld(address) {
      const key = claimKey(address);
      const token = randomUUID();
      if (!(await state.setIfAbsent(key, token, WINDOW.heldClaimMs))) return null;
      const ours = async () => (await state.get(key)) === token;
      return {
        async renew() {
          if (await ours()) await state.set(key, token, WINDOW.heldClaimMs);
        },
        async release() {
          if (await ours()) await state.delete(key);
        },
      };
    },
    heldClaimed: async (address) => (await state.get(claimKey(address))) !== null,
    async forget(address) {
      await state.delete(heldKey(address));
    },
  };
}
