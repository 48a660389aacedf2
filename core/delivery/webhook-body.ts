import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PayloadTooLargeError } from '../errors.ts';
import { parseJsonText, readRawBytes } from '../http/read-json.ts';

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

export type ParsedBody = { ok: true; value: unknown } | { ok: false; reason: string };

/** Parses a webhook's JSON; refused when it is not JSON or nests deeper than `MAX_JSON_DEPTH`. */
export function parseJson(bytes: Buffer): ParsedBody {
  const parsed = parseJsonText(bytes.toString('utf8'));
  if (parsed.ok) return parsed;
  return {
    ok: false,
    reason: parsed.reason.startsWith('body is not valid JSON') ? 'body is not valid JSON' : parsed.reason,
  };
}
