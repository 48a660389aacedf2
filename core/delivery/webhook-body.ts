import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PayloadTooLargeError } from '../errors.ts';
import { readRawBytes } from '../http/read-json.ts';

/** The JSON error body of a rejected webhook: `{ error: <code>, message }`. */
export function webhookError(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: code, message }, status);
}

export type RawBody = { ok: true; bytes: Buffer } | { ok: false; response: Response };

/** A webhook's raw bytes (`readRawBytes`), or its 413 answer in the webhooks' error form. */
export async function readRawBody(c: Context, maxBytes: number): Promise<RawBody> {
  try {
    return { ok: true, bytes: await readRawBytes(c, maxBytes) };
  } catch (error) {
    if (!(error instanceof PayloadTooLargeError)) throw error;
    return { ok: false, response: webhookError(c, 413, 'payload_too_large', error.message) };
  }
}

/** Parses JSON; `undefined` when the text is not JSON. */
export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
