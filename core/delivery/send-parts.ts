import type { createSentParts } from './sent-parts.ts';
import type { SendOptions } from './types.ts';

/** Where the platform ids of accepted parts are kept for a late failure (core/delivery/sent-parts.ts). */
export type SentPartsMemory = Pick<ReturnType<typeof createSentParts>, 'remember'>;

/**
 * Sends a rendered message one API call per part, as the dispatcher's `SendOptions` ask: from
 * `fromPart` (parts an earlier attempt delivered are not repeated), awaiting `beforePart` before each
 * part after this call's first (pacing), reporting `onPartSent` with the parts delivered so far.
 * `sendOne` resolves with the platform's id of the accepted part when it has one; with `sentParts`
 * that id is remembered, so a failure the platform reports later dead-letters the message from there.
 */
export async function sendParts<Part>(
  parts: readonly Part[],
  options: SendOptions,
  sendOne: (part: Part, index: number) => Promise<string | undefined>,
  sentParts?: SentPartsMemory,
): Promise<void> {
  const from = Math.max(0, options.fromPart ?? 0);
  for (let index = from; index < parts.length; index++) {
    if (index > from) await options.beforePart?.(index);
    const platformId = await sendOne(parts[index]!, index);
    if (platformId && sentParts) sentParts.remember(platformId, index, options.deadLetter);
    options.onPartSent?.(index + 1);
  }
}
