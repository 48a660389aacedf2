import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The JSON error body of a rejected webhook: `{ error: <code>, message }`. */
export function webhookError(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: code, message }, status);
}

export type RawBody = { ok: true; bytes: Buffer } | { ok: false; response: Response };

/**
 * Reads a webhook's raw bytes (signatures are computed over them, never over re-serialized JSON),
 * refusing bodies larger than `maxBytes` with 413 before and after reading.
 */
export async function readRawBody(c: Context, maxBytes: number): Promise<RawBody> {
  const declared = Number(c.req.header('content-length') ?? '0');
  const tooLarge = () => ({
    ok: false as const,
    response: webhookError(c, 413, 'payload_too_large', `body exceeds ${maxBytes} bytes`),
  });
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge();
  if (c.req.raw.bodyUsed) {
    // An earlier middleware read the body through Hono, which keeps a copy.
    const bytes = Buffer.from(await c.req.arrayBuffer());
    return bytes.length > maxBytes ? tooLarge() : { ok: true, bytes };
  }
  const body = c.req.raw.body;
  if (!body) return { ok: true, bytes: Buffer.alloc(0) };
  // Streamed with a running count: a chunked body without content-length cannot exhaust memory.
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return tooLarge();
    }
    chunks.push(value);
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}

/** Parses JSON; `undefined` when the text is not JSON. */
export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
