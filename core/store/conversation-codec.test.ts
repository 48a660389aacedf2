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
