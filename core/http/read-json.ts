import type { Context } from 'hono';
import { PayloadTooLargeError, ValidationError } from '../errors.ts';
import { requestHeader } from './request-header.ts';

/**
 * The one request-body reader of the app (REST routes, webhooks, callbacks). One contract: the
 * readers return the body or THROW an `OmnibotError` (413 `PayloadTooLargeError`, 400
 * `ValidationError`) that `app.onError` renders.
 */

/**
 * The raw body bytes (signatures are computed over them, never over re-serialized JSON), refused
 * past `limitBytes` with 413 whatever Content-Length claims: counted while streaming, so a chunked
 * body without Content-Length cannot exhaust memory.
 */
export async function readRawBytes(c: Context, limitBytes: number): Promise<Buffer> {
  const length = requestHeader(c, 'content-length');
  const declared = Number(length ?? '0');
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  if (c.req.raw.bodyUsed) {
    // An earlier middleware read the body through Hono, which keeps a copy.
    const bytes = Buffer.from(await c.req.arrayBuffer());
    if (bytes.length > limitBytes) throw new PayloadTooLargeError(limitBytes);
    return bytes;
  }
  if (length !== undefined && Number.isFinite(declared)) {
    // Node's HTTP parser holds a body to its Content-Length (more bytes are the next request), so a
    // declared length within the limit is read at once: @hono/node-server reads it from the socket
    // without building a web stream (a fifth of a small request's cost).
    const bytes = Buffer.from(await c.req.raw.arrayBuffer());
    if (bytes.length > limitBytes) throw new PayloadTooLargeError(limitBytes);
    return bytes;
  }
  const body = c.req.raw.body;
  if (!body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      await reader.cancel().catch(() => {});
      throw new PayloadTooLargeError(limitBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The raw body as text (see `readRawBytes`). */
export async function readRawBody(c: Context, limitBytes: number): Promise<string> {
  return (await readRawBytes(c, limitBytes)).toString('utf8');
}

/**
 * How deep a request body may nest. Real payloads stay under 12 levels (a Telegram callback query's
 * keyboard is 7); deeper ones would overflow the stack later, in `JSON.stringify` or `String()`.
 */
export const MAX_JSON_DEPTH = 32;

/** `{` and `[`: every level of nesting opens with one. */
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * True when `raw` may nest deeper than `maxDepth`: it has more `{` and `[` than that (counting those
 * inside strings too, so never a false "no"). Most bodies have a handful: the walk is skipped.
 */
function mayNestDeeperThan(raw: string, maxDepth: number): boolean {
  let openers = 0;
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if ((code === OPEN_BRACE || code === OPEN_BRACKET) && ++openers > maxDepth) return true;
  }
  return false;
}

/** True when `value` nests arrays or objects deeper than `maxDepth` (checked without recursion). */
export function nestsDeeperThan(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > maxDepth) return true;
    for (const child of Object.values(item)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

const NOT_JSON = 'body is not valid JSON';

/** Parses JSON text; the reason when it is not JSON or nests too deep (for callers with their own error form). */
export function parseJsonText(raw: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: NOT_JSON };
  }
  if (mayNestDeeperThan(raw, MAX_JSON_DEPTH) && nestsDeeperThan(value))
    return { ok: false, reason: `body nests deeper than ${MAX_JSON_DEPTH} levels` };
  return { ok: true, value };
}

/** Parses a JSON body (any JSON value); 400 when it is not JSON or nests deeper than `MAX_JSON_DEPTH`. */
export function parseJson(raw: string | Uint8Array): unknown {
  const parsed = parseJsonText(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
  if (!parsed.ok) throw new ValidationError(parsed.reason);
  return parsed.value;
}

/** Parses a JSON object body (400 with the reason otherwise). */
export function parseJsonObject(raw: string | Uint8Array): Record<string, unknown> {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  if (!text.trim()) throw new ValidationError('body is empty: a JSON object is required');
  const value = parseJson(text);
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError('body must be a JSON object');
  return value as Record<string, unknown>;
}

/** Reads and parses a JSON object body (413 past `limitBytes`, 400 when it is not a JSON object). */
export async function readJsonObject(c: Context, limitBytes: number): Promise<Record<string, unknown>> {
  return parseJsonObject(await readRawBytes(c, limitBytes));
}

/**
 * Parses an `application/x-www-form-urlencoded` body into its fields, every value of a repeated name
 * kept (`getAll`): a signature over all parameters (Twilio's) needs them all. Read one with `get`.
 */
export function parseForm(raw: string | Uint8Array): URLSearchParams {
  return new URLSearchParams(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
}
