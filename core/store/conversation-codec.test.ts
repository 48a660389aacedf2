import { describe, expect, it } from 'vitest';
import { decodeMeta, decodeSnapshot, encodeMeta, encodeSnapshot } from './conversation-codec.ts';
import type { ConversationMeta } from './types.ts';

const id = 'web:u1';
const snapshot = {
  status: 'active',
  value: { reporting: 'askEquipment' },
  historyValue: {},
  context: { conversationId: id, turn: 2, pending: null, draft: { text: '~x' } },
  children: {},
};
const meta: ConversationMeta = {
  channel: 'web',
  userId: 'u1',
  userName: 'Ana',
  machineVersion: 2,
  createdAt: '2026-12-03T09:47:15.613Z',
  updatedAt: '2026-12-03T09:47:16.133Z',
};
/** Read back exactly as written: the same JSON, key order included. */
const same = (read: unknown, written: unknown) => expect(JSON.stringify(read)).toBe(JSON.stringify(written));

describe('conversation codec', () => {
  it('leaves out of a snapshot what the id and the defaults say, and reads it back as written', () => {
    const stored = encodeSnapshot(snapshot, id);
    expect(stored).toBe(
      '~{"value":{"reporting":"askEquipment"},"context":{"turn":2,"pending":null,"draft":{"text":"~x"}}}',
    );
    same(decodeSnapshot(stored, id), snapshot);
    const { status, ...later } = snapshot;
    const persisted = { status, output: undefined, error: undefined, ...later };
    expect(encodeSnapshot(persisted, id)).toBe(stored);
    const extra = { ...snapshot, error: 'boom' };
    same(decodeSnapshot(encodeSnapshot(extra, id), id), extra);
  });

  it("leaves out the fields still at the machine's starting values, each read back in its place", () => {
    const start = {
      conversationId: id,
      workflowTimeoutMs: 120000,
      epoch: 1796300750491,
      turn: 0,
      pending: null,
      draft: {},
      candidates: [],
      lookupQuery: '',
      linkedUserId: null,
    };
    const idle = { ...snapshot, value: 'idle', context: start };
    const stored = encodeSnapshot(idle, id);
    expect(stored).toBe('^{"value":"idle","context":{"epoch":1796300750491}}');
    // Under hash-max-listpack-value's default: Redis keeps an idle conversation's hash compact.
    expect(stored.length).toBeLessThanOrEqual(64);
    same(decodeSnapshot(stored, id), idle);
    // Changed fields and later ones (after the template's) are stored, in their order.
    const busy = {
      ...idle,
      context: { ...start, turn: 3, draft: { equipment: 'CAEX-12' }, notified: ['OT-7'], notificationsOff: false },
    };
    const busyStored = encodeSnapshot(busy, id);
    expect(busyStored.startsWith('^')).toBe(true);
    expect(busyStored).not.toContain('lookupQuery');
    same(decodeSnapshot(busyStored, id), busy);
    // A template field missing, moved or undefined: no template (reading could not put it back).
    const { linkedUserId: _, ...older } = start;
    const { workflowTimeoutMs, ...rest } = start;
    for (const context of [older, { ...rest, workflowTimeoutMs }, { ...start, pending: undefined }]) {
      const value = { ...idle, context };
      const kept = encodeSnapshot(value, id);
      expect(kept.startsWith('~')).toBe(true);
      same(decodeSnapshot(kept, id), value);
    }
    // A context field named like Object's prototype stays an own field, never the prototype.
    const odd = { ...idle, context: JSON.parse(`${JSON.stringify(start).slice(0, -1)},"__proto__":{"x":1}}`) };
    const read = decodeSnapshot(encodeSnapshot(odd, id), id) as { context: Record<string, unknown> };
    expect(Object.getPrototypeOf(read.context)).toBe(Object.prototype);
    expect(Object.hasOwn(read.context, '__proto__')).toBe(true);
  });

  it('keeps any other snapshot whole, and reads plain JSON as it is', () => {
    const others = [
      { n: 1 },
      { ...snapshot, status: 'done' },
      { ...snapshot, children: { a: 1 } },
      { ...snapshot, context: { ...snapshot.context, conversationId: 'web:other' } },
      { value: 'idle', status: 'active', historyValue: {}, context: { conversationId: id }, children: {} },
      null,
    ];
    for (const value of others) {
      expect(encodeSnapshot(value, id)).toBe(JSON.stringify(value));
      same(decodeSnapshot(encodeSnapshot(value, id), id), value);
    }
  });

  it('keeps the meta in epoch ms without what the id says, and reads it back as written', () => {
    const stored = encodeMeta(meta, id);
    expect(stored).toBe('~{"n":"Ana","m":2,"c":1796291235613,"u":1796291236133}');
    same(decodeMeta(stored, id), meta);
    const erasing = { ...meta, userName: undefined, erasing: true as const, createdAt: 'then' };
    const { userName: _, ...written } = erasing;
    same(decodeMeta(encodeMeta(erasing, id), id), written);
    same(decodeMeta(encodeMeta(meta, 'telegram:9'), 'telegram:9'), meta);
    same(decodeMeta(encodeMeta(meta, 'nocolon'), 'nocolon'), meta);
  });

  it('keeps a meta with fields it does not know whole, and reads plain JSON as it is', () => {
    const other = { ...meta, future: 1 } as ConversationMeta;
    expect(encodeMeta(other, id)).toBe(JSON.stringify(other));
    same(decodeMeta(JSON.stringify(meta), id), meta);
  });
});
