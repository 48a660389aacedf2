import type { Context, MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import { isRecord } from '../../lib/is-record.ts';
import type { DemoEquipment, DemoWorkOrder } from './demo-data.ts';
import { PRIORITIES } from './demo-guard.ts';
import { page } from './demo-http.ts';
import { DEMO_USERS, type DemoUser, fullName, roleId } from './demo-users.ts';

/**
 * How the later CMMS API (`/api/v2/`) shows the demo's data and its errors: its flat order
 * serializer, its users (`usuarios/`), its pages of 100, its error shape, and the bodies it takes.
 */

export const V2_PAGE_SIZE = 100;

/**
 * The v2 exception handler's shape, `{error: true, message, code, details, timestamp}`: `message`
 * is DRF's `detail`, else (field errors of a refused body) "An error occurred"; `timestamp` echoes
 * the request's `X-Timestamp` header. Applied to the 4xx JSON answers of `/api/v2/*`.
 */
export function demoV2Errors(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const status = c.res.status;
    if (status < 400 || status >= 500 || !c.res.headers.get('content-type')?.includes('application/json')) return;
    const body: unknown = await c.res
      .clone()
      .json()
      .catch(() => undefined);
    if (isRecord(body) && body.error === true) return;
    const detail = isRecord(body) && typeof body.detail === 'string' ? body.detail : 'An error occurred';
    const headers = new Headers(c.res.headers);
    c.res = new Response(
      JSON.stringify({
        error: true,
        message: detail,
        code: 'API_ERROR',
        details: null,
        timestamp: c.req.header('x-timestamp') ?? '',
      }),
      { status, headers },
    );
  };
}

/** Django's own 404 for a path no route serves (v2 routes need their trailing slash): HTML, not JSON. */
export const djangoNotFound = (c: Context) =>
  c.html('<!doctype html><title>Not Found</title><h1>Not Found</h1><p>The requested resource was not found.</p>', 404);

/** DRF's `PageNumberPagination` of v2: 100 per page, `?page=N`, 404 past the end. */
export const v2Page = <T>(c: Context, items: T[]) => page(c, items, V2_PAGE_SIZE);

const LEVELS: Record<string, number> = { Crítica: 4, Alta: 3, Media: 2, Baja: 1 };
const DAY_MS = 86_400_000;

/** An order as v2's `OrdenesTrabajoSerializer` shows it: flat, no `fechacreacionot`, a few computed fields. */
export function v2OrderJson(o: DemoWorkOrder, equipment: readonly DemoEquipment[]) {
  const reported = o.fechareportefalla ? Date.parse(o.fechareportefalla) : Number.NaN;
  const completed = o.fechacompletado ? Date.parse(o.fechacompletado) : Number.NaN;
  return {
    idordentrabajo: o.idordentrabajo,
    numeroot: o.numeroot,
    descripcionproblemareportado: o.descripcionproblemareportado,
    prioridad: o.prioridad,
    idequipo: o.idequipo,
    idsolicitante: o.idsolicitante,
    idtecnicoasignado: o.idtecnicoasignado,
    idestadoot: o.idestadoot,
    idtipomantenimientoot: o.idtipomantenimientoot,
    fechareportefalla: o.fechareportefalla,
    fechaejecucion: o.fechaejecucion,
    fechacompletado: o.fechacompletado,
    tiempototalminutos: o.tiempototalminutos,
    observacionesfinales: o.observacionesfinales,
    horometro: o.horometro,
    equipo_nombre: o.equipo_nombre,
    equipo_codigo: equipment.find((e) => e.idequipo === o.idequipo)?.codigointerno ?? null,
    solicitante_nombre: o.solicitante_nombre ?? '',
    tecnico_nombre: o.tecnico_nombre ?? '',
    estado_nombre: o.estado_nombre,
    tipo_mantenimiento_nombre: o.tipo_mantenimiento_nombre,
    dias_transcurridos: Number.isNaN(reported) ? 0 : Math.floor((Date.now() - reported) / DAY_MS),
    tiempo_transcurrido: Number.isNaN(reported) || Number.isNaN(completed) ? null : (completed - reported) / 3_600_000,
    prioridad_nivel: LEVELS[o.prioridad] ?? 0,
  };
}

/** A user as v2's `usuarios/` lists it (`UsuariosSerializer`): `user` is the auth user's id. */
export function v2UserJson(u: DemoUser) {
  return {
    user: u.id,
    idrol: roleId(u.role),
    departamento: u.departamento,
    rol_nombre: u.role,
    usuario_nombre: fullName(u),
    usuario_email: `${u.username}@somacor.example`,
  };
}

/** `usuarios/` sorts by first and last name. */
export const v2Users = () =>
  [...DEMO_USERS].sort((a, b) => fullName(a).localeCompare(fullName(b), 'es')).map(v2UserJson);

const NOT_INTEGER = 'Se requiere un número entero válido.';
const integer = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^\d{1,9}$/), v.transform(Number))], NOT_INTEGER),
  v.safeInteger(NOT_INTEGER),
  v.minValue(0),
);
const text = (max: number) => v.pipe(v.string(), v.trim(), v.maxLength(max));
const dateTime = v.pipe(
  v.string(),
  v.check((s) => !Number.isNaN(Date.parse(s)), 'Formato de fecha y hora inválido.'),
);

/** `POST ordenes-trabajo/`: the fields v2 requires, and the optional ones omnibot sends. */
export const V2CreateSchema = v.object({
  numeroot: v.pipe(text(50), v.nonEmpty()),
  idequipo: integer,
  idtipomantenimientoot: integer,
  idestadoot: integer,
  idsolicitante: integer,
  idtecnicoasignado: v.nullish(integer),
  prioridad: v.optional(v.picklist(PRIORITIES), 'Media'),
  descripcionproblemareportado: v.nullish(text(2000)),
  fechareportefalla: v.nullish(dateTime),
  fechacompletado: v.nullish(dateTime),
  tiempototalminutos: v.nullish(integer),
  observacionesfinales: v.nullish(text(2000)),
  horometro: v.nullish(integer),
});

/** `PATCH ordenes-trabajo/{id}/`: what assigning, changing state and completing send. */
export const V2PatchSchema = v.object({
  idestadoot: v.optional(integer),
  idtecnicoasignado: v.nullish(integer),
  prioridad: v.optional(v.picklist(PRIORITIES)),
  descripcionproblemareportado: v.nullish(text(2000)),
  fechacompletado: v.nullish(dateTime),
  tiempototalminutos: v.nullish(integer),
  observacionesfinales: v.nullish(text(2000)),
});
