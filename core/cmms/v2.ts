import { randomInt } from 'node:crypto';
import { isRecord } from '../../lib/is-record.ts';
import type { CmmsUserSummary } from '../../workflows/cmms.ts';
import { ConfigError, UpstreamError } from '../errors.ts';
import { summarizeUser } from '../workflows/results.ts';
import { badResponse } from './failures.ts';
import { orderNumberKey } from './order-ids.ts';
import { completeWorkOrder, orderOfAnswer, reportFailureBody, updateWorkOrder } from './order-writes.ts';
import { cmmsRoutes } from './routes.ts';
import { cmmsErrorMessage } from './v2-errors.ts';
import type { CmmsApiContext, CmmsApiVariant, RawOrder } from './v2-types.ts';

export { createCmmsCatalogs } from './v2-catalogs.ts';
export { cmmsErrorMessage, cmmsErrorText } from './v2-errors.ts';
export type { CmmsApiContext, CmmsApiVariant, CmmsCall, CmmsCatalogs } from './v2-types.ts';

/**
 * The two CMMS APIs omnibot speaks (see v2-types.ts): the original (`/api/`, `reportar-falla/`,
 * `completar/`) and the later one (`/api/v2/`), which has neither action: an order is created with
 * `POST ordenes-trabajo/` and every field it requires (the client makes up its number), completed
 * with a PATCH, found with `search/ordenes/`, and its users are `usuarios/`.
 */

/** The routes only the later API has, relative to `/api/v2/`. */
export const cmmsV2Routes = {
  searchOrders: (query: string) => `search/ordenes/?search=${encodeURIComponent(query)}`,
  searchEquipment: (query: string) => `search/equipos/?search=${encodeURIComponent(query)}`,
  equipmentItem: (id: number | ':id') => `equipos/${id}/`,
  users: 'usuarios/',
} as const;

/** The variant for a `CMMS_API_PREFIX`: `/api/v2/` (however slashed) is the later API, anything else the original. */
export function cmmsApiVariant(apiPrefix: string | undefined): CmmsApiVariant {
  return /(^|\/)v2\/*$/.test((apiPrefix ?? '').trim()) ? v2Api : originalApi;
}

/** The user id of a login answer (`{token, user: {id, …}}`), or undefined. */
export function loginUserId(body: unknown): number | undefined {
  const id = isRecord(body) && isRecord(body.user) ? Number(body.user.id) : Number.NaN;
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export const originalApi: CmmsApiVariant = {
  name: 'original',
  listUsersRoute: cmmsRoutes.users,
  async createCorrectiveOrder(ctx, input) {
    // The CMMS takes the requester (and technician) from the token's user.
    return orderOfAnswer(await ctx.call('POST', cmmsRoutes.reportFailure, reportFailureBody(input)), 'reportar-falla');
  },
  async findOrderByNumber() {
    return undefined; // no search route: the client's id cache and paging
  },
  completeOrder: (ctx, id, input) => completeWorkOrder(ctx.call, id, input),
  changeOrder: (ctx, id, change) =>
    updateWorkOrder(ctx.call, (name) => ctx.catalogs.stateId(ctx.call, name), id, change),
  userOf: (raw) => (Number.isSafeInteger(Number(raw.id)) && Number(raw.id) > 0 ? summarizeUser(raw) : null),
  orderOf: (raw) => raw,
  errorMessage: cmmsErrorMessage,
};

/** The longest `numeroot` the CMMS keeps. */
const NUMEROOT_MAX = 50;

/**
 * A corrective order's number in the CMMS's own form: `OT-CORR-<codigointerno>-<YYYYmmddHHMMSS>-<n>`
 * (UTC, n from 100 to 999), as its `reportar-falla/` makes them; the code is cut to fit 50 characters.
 */
export function correctiveOrderNumber(code: string, at: Date, n = randomInt(100, 1000)): string {
  const stamp = at.toISOString().replace(/\D/g, '').slice(0, 14);
  const room = NUMEROOT_MAX - `OT-CORR--${stamp}-${n}`.length;
  const safeCode = code.replace(/[^\w.-]+/g, '-').slice(0, Math.max(1, room));
  return `OT-CORR-${safeCode}-${stamp}-${n}`;
}

const statusOf = (error: unknown) =>
  error instanceof UpstreamError ? (error.details?.upstreamStatus as number | undefined) : undefined;

/** The equipment's internal code (its id when it has none); a missing equipment is a refusal (400), as `reportar-falla/`. */
async function equipmentCode(ctx: CmmsApiContext, idequipo: number): Promise<string> {
  let body: unknown;
  try {
    body = await ctx.call('GET', cmmsV2Routes.equipmentItem(idequipo));
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
    throw new UpstreamError('cmms', `CMMS has no equipment ${idequipo}`, { status: 400, retryable: false });
  }
  const code = isRecord(body) && typeof body.codigointerno === 'string' ? body.codigointerno.trim() : '';
  return code || String(idequipo);
}

/** v2 lists have no `fechacreacionot`: the report's time stands for it (lists sort by it too). */
function v2Order(raw: RawOrder): RawOrder {
  return raw.fechacreacionot == null && raw.fechareportefalla != null
    ? { ...raw, fechacreacionot: raw.fechareportefalla }
    : raw;
}

/** A user of `usuarios/` (`{user, idrol, rol_nombre, usuario_nombre, usuario_email}`; `user` may be nested). */
function v2User(raw: Record<string, unknown>): CmmsUserSummary | null {
  const nested = isRecord(raw.user) ? raw.user : undefined;
  const id = Number(nested ? nested.id : (raw.user ?? raw.user_id));
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  const email = typeof raw.usuario_email === 'string' ? raw.usuario_email : nested?.email;
  const emailName = typeof email === 'string' && email.includes('@') ? email.split('@')[0]!.trim() : '';
  const username = typeof nested?.username === 'string' && nested.username ? nested.username : emailName || String(id);
  const names = nested ? [nested.first_name, nested.last_name].filter((p) => typeof p === 'string').join(' ') : '';
  const fullName = (typeof raw.usuario_nombre === 'string' ? raw.usuario_nombre : names).trim() || username;
  const role = typeof raw.rol_nombre === 'string' && raw.rol_nombre.trim() ? raw.rol_nombre.trim() : null;
  return { id, username, fullName, role };
}

export const v2Api: CmmsApiVariant = {
  name: 'v2',
  listUsersRoute: cmmsV2Routes.users,
  async createCorrectiveOrder(ctx, input) {
    const userId = await ctx.actingUserId();
    if (userId === undefined) {
      throw new ConfigError(
        'CMMS_API_PREFIX=/api/v2/ needs the requester of a failure report: set CMMS_USERNAME/CMMS_PASSWORD (a CMMS_TOKEN alone does not say whose it is)',
      );
    }
    const [code, idtipomantenimientoot, idestadoot] = await Promise.all([
      equipmentCode(ctx, input.idequipo),
      ctx.catalogs.maintenanceTypeId(ctx.call, 'Correctivo'),
      ctx.catalogs.stateId(ctx.call, 'Abierta'), // else Pendiente (STATE_SYNONYMS)
    ]);
    const now = ctx.now?.() ?? new Date();
    const body = {
      idequipo: input.idequipo,
      idtipomantenimientoot,
      idestadoot,
      // As reportar-falla/ does: the reporting user requests it and is its technician.
      idsolicitante: userId,
      idtecnicoasignado: userId,
      prioridad: input.prioridad ?? 'Alta',
      descripcionproblemareportado: input.descripcion,
      fechareportefalla: now.toISOString(),
      ...(input.observaciones ? { observacionesfinales: input.observaciones } : {}),
    };
    const create = () =>
      ctx.call('POST', cmmsRoutes.workOrders, { numeroot: correctiveOrderNumber(code, now), ...body });
    let answer: unknown;
    try {
      answer = await create();
    } catch (error) {
      // v2 hides which field it refused: a taken number is the one a second try can fix.
      if (statusOf(error) !== 400) throw error;
      answer = await create();
    }
    return v2Order(orderOfAnswer(answer, 'the creation of an order'));
  },
  async findOrderByNumber(ctx, numeroot) {
    const wanted = orderNumberKey(numeroot);
    if (!wanted) return undefined;
    let body: unknown;
    try {
      body = await ctx.call('GET', cmmsV2Routes.searchOrders(numeroot.trim()));
    } catch (error) {
      if (statusOf(error) === 404) return undefined; // a CMMS without the search route
      throw error;
    }
    const results = isRecord(body) && Array.isArray(body.results) ? body.results : Array.isArray(body) ? body : [];
    const found = results.find((o): o is RawOrder => isRecord(o) && orderNumberKey(o.numeroot) === wanted);
    return found ? v2Order(found) : undefined; // at most 10 results: a miss proves nothing
  },
  async completeOrder(ctx, id, input) {
    const idestadoot = await ctx.catalogs.stateId(ctx.call, 'Completada');
    const body = {
      idestadoot,
      fechacompletado: (ctx.now?.() ?? new Date()).toISOString(),
      observacionesfinales: input.observacionesfinales,
      tiempototalminutos: input.tiempototalminutos,
    };
    return v2Order(
      orderOfAnswer(await ctx.call('PATCH', cmmsRoutes.workOrder(id), body), 'the completion of an order'),
    );
  },
  async changeOrder(ctx, id, change) {
    const body: Record<string, unknown> = {};
    if (change.idtecnicoasignado !== undefined) body.idtecnicoasignado = change.idtecnicoasignado;
    if (change.estado !== undefined) {
      const state = await ctx.catalogs.findStateId(ctx.call, change.estado);
      // A seed without that state (no `Asignada`): an assignment still sets the technician.
      if (state !== undefined) body.idestadoot = state;
      else if (change.idtecnicoasignado === undefined) {
        throw badResponse(`CMMS has no work-order state named ${change.estado}`);
      }
    }
    return v2Order(orderOfAnswer(await ctx.call('PATCH', cmmsRoutes.workOrder(id), body), 'the change of an order'));
  },
  userOf: v2User,
  orderOf: v2Order,
  errorMessage: cmmsErrorMessage,
};
