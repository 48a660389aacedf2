import { afterAll, describe, expect, it } from 'vitest';
import { clearPrefix, connectRedis, uniquePrefix } from '../../test/support/redis.ts';
import type { TranscriptEntry } from '../runtime/types.ts';
import { decodeEvent, decodeTranscript, encodeEvent, encodeTranscript } from './entry-codec.ts';
import { storeKeys } from './redis-layout.ts';
import { createRedisStore } from './redis-store.ts';
import {
  createReplyTexts,
  fixedReplyTexts,
  lookupReplyTexts,
  missingText,
  publishReplyTexts,
  replyKey,
  replyTextsKey,
  textRef,
} from './reply-texts.ts';
import type { EventLogEntry } from './types.ts';

const ID = 'web:u1';
const MENU = '¡Hola! Soy el asistente de mantenimiento de Somacor. Puedo ayudarte con:\n• Reportar una falla';
const BUTTONS = [
  { id: 'intent:report_failure', title: 'Reportar una falla' },
  { id: 'intent:link', title: 'Vincular cuenta' },
];
const texts = () => createReplyTexts([MENU, JSON.stringify(BUTTONS)]);

/** Decoded as written: the same fields, values and order. */
const sameAs = (decoded: unknown, original: unknown) => expect(JSON.stringify(decoded)).toBe(JSON.stringify(original));

const inbound: TranscriptEntry = {
  conversationId: ID,
  direction: 'in',
  text: 'hola',
  action: 'intent:greeting',
  messageId: 'm1',
  at: '2026-12-03T09:05:26.209Z',
};
const greeting: TranscriptEntry = {
  conversationId: ID,
  direction: 'out',
  text: MENU,
  buttons: BUTTONS,
  at: '2026-12-03T09:05:26.219Z',
};

describe('transcript lines', () => {
  it('read back as written, fixed texts and button sets kept by reference', () => {
    const dictionary = texts();
    const agent: TranscriptEntry = {
      conversationId: ID,
      direction: 'out',
      text: 'Ana: ya voy',
      buttons: [],
      kind: 'agent',
      agent: 'Ana',
      at: greeting.at,
    };
    for (const entry of [inbound, greeting, agent, { ...inbound, at: 'now' }, { ...inbound, at: '' }]) {
      sameAs(decodeTranscript(encodeTranscript(entry, ID, dictionary), ID, dictionary), entry);
    }
    const line = encodeTranscript(greeting, ID, dictionary);
    expect(JSON.parse(line)).toEqual({ ro: textRef(MENU), b: textRef(JSON.stringify(BUTTONS)), t: 1796288726219 });
    expect(line.length).toBeLessThan(60);
    expect(encodeTranscript(inbound, ID)).toBe('{"i":"hola","a":"intent:greeting","m":"m1","t":1796288726209}');
  });

  it('keep a whole fixed reply (its text and buttons) by one reference', () => {
    const whole = createReplyTexts([replyKey(MENU, BUTTONS)]);
    const line = encodeTranscript(greeting, ID, whole);
    expect(line).toBe(`{"rr":"${textRef(replyKey(MENU, BUTTONS))}","t":1796288726219}`);
    sameAs(decodeTranscript(line, ID, whole), greeting);
    const placeholder = decodeTranscript(line, ID, createReplyTexts());
    expect(placeholder).toEqual({
      ...greeting,
      text: missingText(textRef(replyKey(MENU, BUTTONS))),
      buttons: undefined,
    });
  });

  it('keep what they do not know: another conversation id, a new field', () => {
    const entry = { ...inbound, conversationId: 'web:other', template: { name: 't' } } as TranscriptEntry;
    expect(decodeTranscript(encodeTranscript(entry, ID), ID)).toEqual(entry);
  });

  it('of the earlier format read as stored', () => {
    const old = JSON.stringify(greeting);
    expect(decodeTranscript(old, 'web:else')).toEqual(greeting);
  });

  it('read a reference to an unknown text as a placeholder, and unknown buttons as none', () => {
    const line = encodeTranscript(greeting, ID, texts());
    const decoded = decodeTranscript(line, ID, createReplyTexts());
    expect(decoded).toEqual({ ...greeting, text: missingText(textRef(MENU)), buttons: undefined });
    expect('buttons' in decoded).toBe(false);
    expect(decodeTranscript(line, ID).text).toBe(`[texto no disponible: ${textRef(MENU)}]`);
  });

  it('read a text changed since through what the older version published', () => {
    const line = encodeTranscript(greeting, ID, texts());
    const newer = createReplyTexts(['¡Hola! Otro menú']);
    newer.learn([[textRef(MENU), MENU]]);
    newer.learn([[textRef(JSON.stringify(BUTTONS)), 'not the text of this reference']]);
    expect(decodeTranscript(line, ID, newer)).toEqual({ ...greeting, buttons: undefined });
  });
});

const message = (extra: Record<string, unknown> = {}): EventLogEntry => ({
  at: '2026-12-03T09:05:26.219Z',
  event: {
    type: 'user.message',
    text: 'hola',
    at: 1796288726213,
    channel: 'web',
    identity: null,
    identityPolicy: 'report',
    understood: { intent: 'greeting', by: 'menu', slots: {} },
    ...extra,
  },
  stateBefore: 'idle',
  stateAfter: 'idle',
  version: 2,
  channel: 'web',
  machineVersion: 2,
});

describe('event-log entries', () => {
  it('read back as written, a user message in under 100 bytes', () => {
    const entry = message();
    const line = encodeEvent(entry, ID);
    expect(line).toBe('{"t":1796288726219,"e":{"x":"hola","t":6,"u":"greeting"},"b":"idle","v":2,"m":2}');
    sameAs(decodeEvent(line, ID), entry);
  });

  it('keep what differs from the defaults', () => {
    const identity = { cmmsUserId: 7, username: 'ana', fullName: 'Ana', role: 'Técnico', linkedAt: 'x' };
    const understood = {
      intent: 'report_failure',
      by: 'classifier',
      score: 0.93,
      slots: { equipment: { mention: 'cat', codes: ['CAT-001'] } },
    };
    const variants: EventLogEntry[] = [
      message({
        identity,
        identityPolicy: 'all',
        channel: 'telegram',
        understood,
        hasAttachments: true,
        userName: 'Ana',
      }),
      message({ understood: { intent: 'x', by: 'llm', slots: {} } }),
      message({ understood: { intent: 'x', by: 'menu', score: 1, slots: {} } }),
      message({ understood: { intent: 'x', by: 'menu', slots: {}, extra: 1 } }),
      message({ at: 'not ms' }),
      { ...message(), channel: 'whatsapp', stateBefore: null, stateAfter: 'reporting' },
      { ...message(), channel: undefined, machineVersion: undefined },
      { ...message(), at: 'now' },
    ];
    for (const entry of variants) expect(decodeEvent(encodeEvent(entry, ID), ID)).toEqual(entry);
    const { identityPolicy: _, ...noPolicy } = message().event;
    const without = { ...message(), event: noPolicy };
    sameAs(decodeEvent(encodeEvent(without, ID), ID), without);
  });

  it('keep the other events, their invocations and an event with a field named like a short one', () => {
    const receipt: EventLogEntry = {
      at: '2026-12-03T09:05:27.000Z',
      event: { type: 'delivery.status', messageId: 'w1', status: 'read', at: '2026-12-03T09:05:26Z' },
      stateBefore: null,
      stateAfter: '',
      version: 0,
    };
    const result: EventLogEntry = {
      ...message(),
      event: { type: 'workflow.result', runId: 'r1', dagId: 'reportar_falla', status: 'success', output: { ot: 1 } },
      invocations: [{ src: 'lookup', output: [1] }],
    };
    const odd: EventLogEntry = { ...message(), event: { type: 'custom.thing', x: 1, y: 2, at: 5 } };
    for (const entry of [receipt, result, odd]) sameAs(decodeEvent(encodeEvent(entry, ID), ID), entry);
    expect(JSON.parse(encodeEvent(odd, ID)).E).toEqual(odd.event);
  });

  it('of the earlier format read as stored', () => {
    const entry = message();
    expect(decodeEvent(JSON.stringify(entry), 'web:else')).toEqual(entry);
  });
});

describe('fixed reply texts', () => {
  it('are the texts and button sets of replies that depend on no data', () => {
    const replies = {
      hello: () => ({ text: 'Hola', buttons: [{ id: 'a', title: 'A' }] }),
      help: (who: { name: string } | null) => ({ text: who ? `Ayuda para ${who.name}` : 'Ayuda' }),
      order: (n: unknown) => ({ text: `La orden ${n}` }),
      broken: (r: { text: string }) => ({ text: r.text.trim() }),
      two: (a: string, b: string) => ({ text: a + b }),
    };
    expect(fixedReplyTexts(replies, [null, { name: '<sample>' }]).sort()).toEqual(
      ['Hola', '[{"id":"a","title":"A"}]', replyKey('Hola', [{ id: 'a', title: 'A' }]), 'Ayuda'].sort(),
    );
  });
});

describe('the texts hash on Redis', () => {
  const prefix = uniquePrefix('reply-texts');
  const redis = connectRedis();
  afterAll(async () => {
    await clearPrefix(prefix);
    await redis.quit();
  });

  it('lets a version whose texts changed read the lines of an older one', async () => {
    const older = texts();
    await publishReplyTexts(redis, prefix, older);
    await publishReplyTexts(redis, prefix, older);
    expect(await redis.hget(replyTextsKey(prefix), textRef(MENU))).toBe(MENU);
    const options = { prefix, conversationTtlSeconds: 60, transcriptLimit: 10, eventLimit: 10, redis };
    const meta = { channel: 'web', userId: 'u1', machineVersion: 2, createdAt: '', updatedAt: '' };
    const write = createRedisStore({ ...options, replyTexts: older });
    // A line of the earlier format, already stored: read as it was, before the new ones.
    const stored: TranscriptEntry = { ...inbound, messageId: 'm0' };
    await redis.rpush(storeKeys(prefix, 'classic').of(ID).transcript, JSON.stringify(stored));
    await write.commit(ID, 0, {
      snapshot: {},
      meta,
      events: [message()],
      transcript: [inbound, greeting],
      checkAt: null,
    });

    const newer = createReplyTexts(['¡Hola! Otro menú']);
    const read = createRedisStore({ ...options, replyTexts: newer });
    expect(await read.readTranscript(ID)).toEqual([stored, inbound, greeting]);
    expect(await read.readEvents(ID)).toEqual([message()]);
    expect(newer.textOf(textRef(MENU))).toBe(MENU);

    const unknown = createReplyTexts();
    await lookupReplyTexts(redis, prefix, unknown, ['000000000000']);
    expect(unknown.textOf('000000000000')).toBeUndefined();
  });
});
