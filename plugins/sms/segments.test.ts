import { describe, expect, it } from 'vitest';
import { countSegments, foldToGsm7, isGsm7 } from './segments.ts';

describe('SMS segments', () => {
  it('GSM-7: 160 characters in one segment, 153 per segment past that', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });

  it('counts extension characters (€ [ ] { } ^ ~ | \\) as two', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments(`${'a'.repeat(159)}€`)).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    // The escape pair is never split: 152 + € does not fit the first 153.
    expect(countSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
    expect(countSegments(`${'a'.repeat(151)}€${'a'.repeat(153)}`).segments).toBe(2);
  });

  it('é, ñ, ü, ¿ and ¡ are GSM-7; á, í, ó, ú force UCS-2', () => {
    expect(isGsm7('¿Qué equipo? ¡Señal pingüino!')).toBe(true);
    for (const letter of ['á', 'í', 'ó', 'ú', 'Á', 'Ó']) expect(isGsm7(`Fall${letter}`)).toBe(false);
    expect(countSegments('Describe la falla (al menos 10 caracteres).').encoding).toBe('GSM-7');
    expect(countSegments('¿Qué prioridad tiene?').encoding).toBe('GSM-7');
    expect(countSegments('4. Crítica').encoding).toBe('UCS-2');
  });

  it('UCS-2: 70 units in one segment, 67 per segment past that, emoji counting two', () => {
    expect(countSegments('ó'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments('ó'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(countSegments('ó'.repeat(134)).segments).toBe(2);
    expect(countSegments('ó'.repeat(135)).segments).toBe(3);
    expect(countSegments('🙏').units).toBe(2);
    // A surrogate pair is never split: 66 + emoji does not fit the first 67.
    expect(countSegments(`${'ó'.repeat(66)}🙏${'ó'.repeat(66)}`).segments).toBe(3);
  });

  it('an empty text is no segment', () => {
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
  });

  it('folding keeps é, ñ, ü and the GSM-7 punctuation, and turns á í ó ú into a i o u', () => {
    const folded = foldToGsm7('¿Qué prioridad tiene? Crítica, Mañana, Último, pingüino, Ángel, ç');
    expect(folded).toBe('¿Qué prioridad tiene? Critica, Mañana, Ultimo, pingüino, Angel, c');
    expect(isGsm7(folded)).toBe(true);
    // What has no GSM-7 form stays (the message is UCS-2 then, but nothing is lost).
    expect(foldToGsm7('Listo ✅')).toBe('Listo ✅');
  });
});
