import type { Context } from 'hono';
import { PayloadTooLargeError, ValidationError } from '../errors.ts';

/** The raw body text, refused past `limitBytes` (413) whatever Content-Length claims. */
export async function readRawBody(c: Context, limitBytes: number): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  const buffer = await c.req.arrayBuffer();
  if (buffer.byteLength > limitBytes) throw new PayloadTooLargeError(limitBytes);
  return new TextDecoder().decode(buffer);
}

/** Parses a JSON object body (400 with the reason otherwise). */
export function parseJsonObject(raw: string): Record<string, unknown> {
  if (!raw.trim()) throw new ValidationError('body is empty: a JSON object is required');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new ValidationError(`body is not valid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new ValidationError('body must be a JSON object');
  return value as Record<string, unknown>;
}

export async function readJsonObject(c: Context, limitBytes: number): Promise<Record<string, unknown>> {
  return parseJsonObject(await readRawBody(c, limitBytes));
}
