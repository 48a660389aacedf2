import { describe, expect, it } from 'vitest';
import { answerRefs, decodeAnswer, encodeAnswer, storedAnswerParts } from './answer-codec.ts';
import { createReplyTexts, missingText, replyKey, textRef } from './reply-texts.ts';

const buttons = [{ id: 'intent:link', title: 'Vincular cuenta' }];
const texts = createReplyTexts(['¡Hola!', replyKey('¿Qué hago?', buttons)]);

describe('answer codec', () => {
  it('keeps a turn’s fixed replies by reference and reads the answer back as committed', () => {
    const answer = {
      replies: [
        { text: '¡Hola!' },
        { text: '¿Qué hago?', buttons },
        { text: 'Tu OT-7 está abierta' },
        { text: '¡Hola!', kind: 'notice' },
      ],
      state: 'idle',
      status: 'idle',
    };
    const stored = encodeAnswer(answer, texts);
    expect(stored).toBe(
      `~["idle","idle","t${textRef('¡Hola!')}","b${textRef(replyKey('¿Qué hago?', buttons))}",` +
        `{"text":"Tu OT-7 está abierta"},{"text":"¡Hola!","kind":"notice"}]`,
    );
    expect(decodeAnswer(stored, texts)).toEqual(answer);
    expect(answerRefs(stored)).toEqual([textRef('¡Hola!'), textRef(replyKey('¿Qué hago?', buttons))]);
  });

  it('keeps the lasting state and status in a few bytes, and reads them back as committed', () => {
    const pairs: [string[], string][] = [
      [['idle', 'idle'], '!idle'],
      [['reporting.askEquipment', 'waiting'], '!reporting.askEquipment,waiting'],
      [['', 'idle'], '!,idle'],
    ];
    for (const [pair, stored] of pairs) {
      expect(encodeAnswer(pair, texts)).toBe(stored);
      expect(decodeAnswer(stored, texts)).toEqual(pair);
      expect(answerRefs(stored)).toEqual([]);
    }
    // The earlier form (JSON) still reads the same.
    expect(decodeAnswer('["idle","idle"]', texts)).toEqual(['idle', 'idle']);
  });

  it('stores anything else as JSON, and reads JSON stored by earlier versions as it is', () => {
    const others = [
      ['a,b', 'idle'],
      ['idle', 1],
      ['idle'],
      { replies: ['hola'] },
      { replies: [], state: 'idle', x: 1 },
      null,
    ];
    for (const value of others) {
      const stored = encodeAnswer(value, texts);
      expect(stored).toBe(JSON.stringify(value));
      expect(decodeAnswer(stored, texts)).toEqual(value);
      expect(answerRefs(stored)).toEqual([]);
    }
  });

  it('reads a reference to a text known nowhere as a placeholder', () => {
    const stored = encodeAnswer({ replies: [{ text: '¡Hola!' }], state: 'idle', status: 'idle' }, texts);
    expect(decodeAnswer(stored, createReplyTexts())).toEqual({
      replies: [{ text: missingText(textRef('¡Hola!')) }],
      state: 'idle',
      status: 'idle',
    });
  });
  it('keeps the fixed replies of a turn in its lasting part, and anything else beside it', () => {
    // The id is kept a day, the whole answer an hour, when it is not all in the lasting part.
    const parts = (result: unknown, lasting: unknown) =>
      storedAnswerParts({ result, lasting: { result: lasting, afterMs: 3_600_000 }, ttlMs: 86_400_000 }, texts);
    const fixed = { replies: [{ text: '¡Hola!' }, { text: '¿Qué hago?', buttons }], state: 'idle', status: 'idle' };
    const merged = parts(fixed, ['idle', 'idle']);
    const refs = [textRef('¡Hola!'), textRef(replyKey('¿Qué hago?', buttons))];
    expect(merged).toEqual({ lasting: `!idle;t${refs[0]};b${refs[1]}`, whole: null });
    expect(decodeAnswer(merged.lasting, texts)).toEqual(fixed);
    expect(answerRefs(merged.lasting)).toEqual(refs);
    const waiting = { ...fixed, state: 'reporting.askEquipment', status: 'waiting' };
    const split = parts(waiting, ['reporting.askEquipment', 'waiting']);
    expect(decodeAnswer(split.lasting, texts)).toEqual(waiting);

    // A reply written for the user, or a lasting part that is not the answer's own state: two parts.
    const written = { ...fixed, replies: [{ text: '¡Hola!' }, { text: 'Tu OT-7 está abierta' }] };
    expect(parts(written, ['idle', 'idle'])).toEqual({
      lasting: '!idle',
      whole: { answer: encodeAnswer(written, texts), forMs: 3_600_000 },
    });
    expect(parts(fixed, ['idle', 'waiting'])).toEqual({
      lasting: '!idle,waiting',
      whole: { answer: encodeAnswer(fixed, texts), forMs: 3_600_000 },
    });
    // A state the compact form cannot hold is kept as JSON, whole beside it.
    const odd = { ...fixed, state: 'a;b' };
    expect(parts(odd, ['a;b', 'idle'])).toEqual({
      lasting: '["a;b","idle"]',
      whole: { answer: encodeAnswer(odd, texts), forMs: 3_600_000 },
    });
    // No lasting part, or one kept no shorter than the id: the whole answer for the id's whole time.
    const whole = { lasting: encodeAnswer(written, texts), whole: null };
    expect(storedAnswerParts({ result: written, ttlMs: 60_000 }, texts)).toEqual(whole);
    const asLong = { result: ['idle', 'idle'], afterMs: 60_000 };
    expect(storedAnswerParts({ result: written, lasting: asLong, ttlMs: 60_000 }, texts)).toEqual(whole);
  });
});
