import type { Context, MiddlewareHandler } from 'hono';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import * as v from 'valibot';
import { PayloadTooLargeError, retryAfterSeconds } from '../errors.ts';
import { parseJsonText, readRawBody } from '../http/read-json.ts';
import { addressOfContext } from '../limits/client-address.ts';

/**
 * What keeps the demo CMMS (open to anyone, for demos) from being knocked over: request bodies
 * checked against schemas (400 with DRF-style Spanish reasons), and a per-client rate limit.
 */

/** Per client, per minute. A DAG run makes a few calls; a demo never comes close. */
export interface DemoRateLimit {
  requestsPerMinute: number;
  writesPerMinute: number;
}

export const DEMO_RATE_LIMIT: DemoRateLimit = { requestsPerMinute: 600, writesPerMinute: 60 };
export const DEMO_MAX_BODY_BYTES = 16 * 1024;

const REQUIRED = 'Este campo es requerido.';
const NOT_TEXT = 'No es una cadena válida.';
const TOO_LONG = (max: number) => `Asegúrese de que este campo no tenga más de ${max} caracteres.`;
const NOT_INTEGER = 'Se requiere un número entero válido.';

const text = (max: number) => v.pipe(v.string(NOT_TEXT), v.trim(), v.maxLength(max, TOO_LONG(max)));
const integer = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^\d{1,9}$/), v.transform(Number))], NOT_INTEGER),
  v.safeInteger(NOT_INTEGER),
  v.minValue(0, 'Asegúrese de que este valor sea mayor o igual a 0.'),
);

export const LoginSchema = v.object({
  username: v.pipe(text(150), v.nonEmpty(REQUIRED)),
  password: v.pipe(v.string(NOT_TEXT), v.nonEmpty(REQUIRED), v.maxLength(128, TOO_LONG(128))),
});

export const PRIORITIES = ['Baja', 'Media', 'Alta', 'Crítica'] as const;

export const ReportFailureSchema = v.object({
  idequipo: integer,
  descripcionproblemareportado: v.pipe(text(2000), v.nonEmpty(REQUIRED)),
  prioridad: v.optional(v.picklist(PRIORITIES, 'Elija una opción válida.'), 'Alta'),
  horometro: v.nullish(integer),
  observacionesadicionales: v.nullish(text(2000)),
});

export const CompleteSchema = v.object({
  observacionesfinales: v.nullish(text(2000)),
  tiempototalminutos: v.nullish(integer),
});

/** `PATCH ordenes-trabajo/{id}/`: the fields the assistant changes (others are ignored, as DRF does). */
export const PatchOrderSchema = v.object({
  idtecnicoasignado: v.nullish(integer),
  idestadoot: v.optional(integer),
  prioridad: v.optional(v.picklist(PRIORITIES, 'Elija una opción válida.')),
  observacionesfinales: v.nullish(text(2000)),
  tiempototalminutos: v.nullish(integer),
});

export type FieldErrors = Record<string, string[]>;
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors; status: 400 | 413 };

const NOT_AN_OBJECT = 'Datos inválidos. Se esperaba un diccionario.';

/** DRF's shape of a refusal: the messages by field, `non_field_errors` for the body as a whole. */
function fieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldErrors {
  const errors: FieldErrors = Object.create(null); // field names come from the schema; still, no prototype
  for (const issue of issues) {
    const field = v.getDotPath(issue)?.split('.')[0] ?? 'non_field_errors';
    const message = issue.input === undefined ? REQUIRED : issue.message;
    errors[field] = [...(errors[field] ?? []), message];
  }
  return errors;
}

/** The JSON body (bounded in size and depth) checked against `schema`; `{}` for an empty body. */
export async function checkedBody<S extends v.GenericSchema>(
  c: Context,
  schema: S,
): Promise<Checked<v.InferOutput<S>>> {
  let raw: string;
  try {
    raw = await readRawBody(c, DEMO_MAX_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof PayloadTooLargeError)) throw error;
    return { ok: false, status: 413, errors: { non_field_errors: [TOO_LONG(DEMO_MAX_BODY_BYTES)] } };
  }
  const parsed = raw.trim() ? parseJsonText(raw) : { ok: true as const, value: {} };
  if (!parsed.ok) return { ok: false, status: 400, errors: { non_field_errors: [`JSON inválido: ${parsed.reason}`] } };
  const body = parsed.value;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, status: 400, errors: { non_field_errors: [NOT_AN_OBJECT] } };
  }
  const result = v.safeParse(schema, body);
  return result.success
    ? { ok: true, value: result.output }
    : { ok: false, status: 400, errors: fieldErrors(result.issues) };
}

export interface DemoRateLimitOptions {
  limit?: DemoRateLimit | false;
  /** Reverse proxies in front (their `X-Forwarded-For` entry names the client). Default 0. */
  trustedProxyHops?: number;
  /**
   * Who is asking; undefined: not limited. Default: the peer address of a request that came through
   * a socket (the gateway's own calls to the embedded demo are handed over in-process, unlimited).
   */
  clientOf?: (c: Context) => string | undefined;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** 429 with `Retry-After` once a client exceeds its requests, or its writes (POST, PATCH…), per minute. */
export function demoRateLimit(options: DemoRateLimitOptions = {}): MiddlewareHandler {
  const limit = options.limit ?? DEMO_RATE_LIMIT;
  if (limit === false) return async (_c, next) => next();
  const requests = new RateLimiterMemory({ keyPrefix: 'demo-cmms', points: limit.requestsPerMinute, duration: 60 });
  const writes = new RateLimiterMemory({ keyPrefix: 'demo-cmms-w', points: limit.writesPerMinute, duration: 60 });
  const clientOf = options.clientOf ?? ((c: Context) => addressOfContext(c, options.trustedProxyHops ?? 0));
  return async (c, next) => {
    const client = clientOf(c);
    if (client === undefined) return next();
    try {
      await requests.consume(client);
      if (!READS.has(c.req.method)) await writes.consume(client);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const seconds = retryAfterSeconds(refusal.msBeforeNext);
      c.header('retry-after', String(seconds));
      return c.json({ detail: tooManyRequestsDetail(seconds) }, 429);
    }
    return next();
  };
}

/** The 429 `detail`, in the DRF style (usted) of the rest of the demo CMMS API. */
export function tooManyRequestsDetail(seconds: number): string {
  return `Demasiadas solicitudes. Intente de nuevo en ${seconds} ${seconds === 1 ? 'segundo' : 'segundos'}.`;
}
