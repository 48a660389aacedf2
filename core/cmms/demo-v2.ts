import type { Context, Hono } from 'hono';
import { foldText } from '../../lib/fold-text.ts';
import { forUser } from './demo-auth.ts';
import {
  type DemoEquipment,
  type DemoWorkOrder,
  EQUIPMENT_TYPES,
  MAINTENANCE_TYPES,
  WORK_ORDER_STATES,
} from './demo-data.ts';
import { checkedBody } from './demo-guard.ts';
import { MAX_CREATED_ORDERS } from './demo-orders.ts';
import { fullName, userById } from './demo-users.ts';
import { djangoNotFound, V2CreateSchema, V2PatchSchema, v2OrderJson, v2Page, v2Users } from './demo-v2-shapes.ts';
import { cmmsRoutes } from './routes.ts';
import { cmmsV2Routes } from './v2.ts';

export { demoV2Errors } from './demo-v2-shapes.ts';

/**
 * The later CMMS API (`/api/v2/`) over the demo CMMS's own data, so omnibot can run against it with
 * `CMMS_API_PREFIX=/api/v2/`: the routes the client uses, the same orders and equipment as `/api/`
 * (an order created here shows there too), the same users and tokens (the demo's authentication
 * middleware runs first). As the real one: no `reportar-falla/` (405) nor `completar/` (Django's 404),
 * orders created with `POST ordenes-trabajo/` and every field it requires, 100 per page, lists sorted
 * by `-fechareportefalla`, `?search=`, and `demoV2Errors()`'s error shape.
 */

export interface DemoCmmsState {
  equipment: DemoEquipment[];
  orders: DemoWorkOrder[];
}

const v2 = (route: string) => `/api/v2/${route.split('?')[0]}`;
const NOT_FOUND = { detail: 'No encontrado.' };
const METHOD_NOT_ALLOWED = (method: string) => ({ detail: `Método "${method}" no permitido.` });

/** `?search=` as DRF's SearchFilter: every word in one of the fields, case ignored. */
function matches(fields: readonly unknown[], query: string): boolean {
  const haystack = fields.map((f) => foldText(String(f ?? '')));
  return foldText(query)
    .split(' ')
    .filter(Boolean)
    .every((word) => haystack.some((f) => f.includes(word)));
}

/** Newest report first, orders without a report date last (as the CMMS's `-fechareportefalla`). */
const byReportDesc = (a: DemoWorkOrder, b: DemoWorkOrder) =>
  (b.fechareportefalla ?? '').localeCompare(a.fechareportefalla ?? '') || b.idordentrabajo - a.idordentrabajo;

export function mountDemoV2(app: Hono, state: DemoCmmsState): void {
  const { equipment, orders } = state;
  const seeded = orders.length;
  const json = (o: DemoWorkOrder) => v2OrderJson(o, equipment);
  const codeOf = (o: DemoWorkOrder) => equipment.find((e) => e.idequipo === o.idequipo)?.codigointerno;
  const find = (c: Context) => {
    const id = c.req.param('id') ?? '';
    return /^\d{1,9}$/.test(id) ? orders.find((o) => o.idordentrabajo === Number(id)) : undefined;
  };

  app.get(
    v2(cmmsRoutes.workOrders),
    forUser((c) => {
      const q = c.req.query();
      const filters = ['idestadoot', 'idtipomantenimientoot', 'prioridad', 'idequipo'] as const;
      const listed = orders.filter(
        (o) =>
          filters.every((f) => q[f] === undefined || String(o[f]) === q[f]) &&
          (!q.search || matches([o.numeroot, o.descripcionproblemareportado, o.equipo_nombre], q.search)),
      );
      return v2Page(c, listed.sort(byReportDesc).map(json));
    }),
  );

  app.post(
    v2(cmmsRoutes.workOrders),
    forUser(async (c) => {
      const checked = await checkedBody(c, V2CreateSchema);
      if (!checked.ok) return c.json(checked.errors, checked.status);
      const body = checked.value;
      const eq = equipment.find((e) => e.idequipo === body.idequipo);
      const requester = userById(body.idsolicitante);
      const technician = body.idtecnicoasignado == null ? undefined : userById(body.idtecnicoasignado);
      const tipo = MAINTENANCE_TYPES[body.idtipomantenimientoot - 1];
      const estado = WORK_ORDER_STATES[body.idestadoot - 1];
      const taken = orders.some((o) => o.numeroot === body.numeroot);
      const bad = !eq || !requester || !tipo || !estado || taken || (body.idtecnicoasignado != null && !technician);
      // v2's exception handler hides which field was refused (demoV2Errors: "An error occurred").
      if (bad) return c.json({ non_field_errors: ['Datos inválidos.'] }, 400);
      const now = new Date().toISOString();
      const created: DemoWorkOrder = {
        idordentrabajo: Math.max(0, ...orders.map((o) => o.idordentrabajo)) + 1,
        numeroot: body.numeroot,
        idequipo: eq.idequipo,
        equipo_nombre: eq.nombreequipo,
        idplanorigen: null,
        plan_nombre: null,
        idtipomantenimientoot: body.idtipomantenimientoot,
        tipo_mantenimiento_nombre: tipo,
        idestadoot: body.idestadoot,
        estado_nombre: estado,
        fechacreacionot: now,
        fechaemision: now,
        fechaejecucion: null,
        fechacompletado: body.fechacompletado ?? null,
        idsolicitante: requester.id,
        solicitante_nombre: fullName(requester),
        idtecnicoasignado: technician?.id ?? null,
        tecnico_nombre: technician ? fullName(technician) : null,
        horometro: body.horometro ?? null,
        prioridad: body.prioridad,
        descripcionproblemareportado: body.descripcionproblemareportado ?? null,
        fechareportefalla: body.fechareportefalla ?? null, // not filled in by v2
        observacionesfinales: body.observacionesfinales ?? null,
        tiempototalminutos: body.tiempototalminutos ?? null,
        actividades: [],
      };
      orders.push(created);
      if (orders.length - seeded > MAX_CREATED_ORDERS) orders.splice(seeded, 1);
      return c.json(json(created), 201);
    }),
  );

  // A detail route takes no POST: `reportar-falla/` is an order "reportar-falla" here (405, as v2).
  app.post(v2(cmmsRoutes.workOrder(':id')), (c) => c.json(METHOD_NOT_ALLOWED('POST'), 405));

  app.get(
    v2(cmmsRoutes.workOrder(':id')),
    forUser((c) => {
      const found = find(c);
      return found ? c.json(json(found)) : c.json(NOT_FOUND, 404);
    }),
  );

  app.patch(
    v2(cmmsRoutes.workOrder(':id')),
    forUser(async (c) => {
      const found = find(c);
      if (!found) return c.json(NOT_FOUND, 404);
      const checked = await checkedBody(c, V2PatchSchema);
      if (!checked.ok) return c.json(checked.errors, checked.status);
      const { idestadoot, idtecnicoasignado, ...plain } = checked.value;
      const technician = idtecnicoasignado == null ? undefined : userById(idtecnicoasignado);
      const estado = idestadoot === undefined ? undefined : WORK_ORDER_STATES[idestadoot - 1];
      if ((idtecnicoasignado != null && !technician) || (idestadoot !== undefined && !estado)) {
        return c.json({ non_field_errors: ['Datos inválidos.'] }, 400);
      }
      for (const [key, value] of Object.entries(plain)) if (value !== undefined) Object.assign(found, { [key]: value });
      if (idtecnicoasignado !== undefined) {
        found.idtecnicoasignado = technician?.id ?? null;
        found.tecnico_nombre = technician ? fullName(technician) : null;
      }
      if (idestadoot !== undefined && estado) Object.assign(found, { idestadoot, estado_nombre: estado });
      return c.json(json(found));
    }),
  );

  app.get(
    v2(cmmsV2Routes.searchOrders('')),
    forUser((c) => {
      const query = c.req.query('search') ?? '';
      if (!query.trim()) return c.json({ results: [] });
      const hits = orders.filter((o) =>
        [o.numeroot, o.descripcionproblemareportado, o.equipo_nombre, codeOf(o)].some((f) =>
          foldText(String(f ?? '')).includes(foldText(query)),
        ),
      );
      return c.json({ results: hits.slice(0, 10).map(json) });
    }),
  );

  app.get(
    v2(cmmsV2Routes.searchEquipment('')),
    forUser((c) => {
      const query = c.req.query('search') ?? '';
      if (!query.trim()) return c.json({ results: [] });
      const hits = equipment.filter((e) =>
        [e.nombreequipo, e.codigointerno, e.marca, e.modelo, e.patente].some((f) =>
          foldText(String(f ?? '')).includes(foldText(query)),
        ),
      );
      return c.json({ results: hits.slice(0, 10) });
    }),
  );

  app.get(
    v2(cmmsRoutes.equipment),
    forUser((c) => {
      const listed = [...equipment].sort((a, b) => a.nombreequipo.localeCompare(b.nombreequipo, 'es'));
      const search = c.req.query('search');
      const q = search
        ? listed.filter((e) => matches([e.nombreequipo, e.codigointerno, e.marca, e.modelo], search))
        : listed;
      return v2Page(c, q);
    }),
  );
  app.get(
    v2(cmmsV2Routes.equipmentItem(':id')),
    forUser((c) => {
      const found = equipment.find((e) => String(e.idequipo) === c.req.param('id'));
      return found ? c.json(found) : c.json(NOT_FOUND, 404);
    }),
  );

  const described = (names: readonly string[], idKey: string, nameKey: string, what: string) =>
    names.map((name, i) => ({ [idKey]: i + 1, [nameKey]: name, descripcion: `${what} ${name}` }));
  app.get(v2(cmmsRoutes.workOrderStates), (c) =>
    v2Page(c, described(WORK_ORDER_STATES, 'idestadoot', 'nombreestadoot', 'Orden')),
  );
  app.get(v2(cmmsRoutes.maintenanceTypes), (c) =>
    v2Page(c, described(MAINTENANCE_TYPES, 'idtipomantenimientoot', 'nombretipomantenimientoot', 'Mantenimiento')),
  );
  app.get(v2('tipos-equipo/'), (c) =>
    v2Page(
      c,
      EQUIPMENT_TYPES.map((nombretipo, i) => ({ idtipoequipo: i + 1, nombretipo })),
    ),
  );
  // v2's users are open to anyone (AllowAny), as in the CMMS.
  app.get(v2(cmmsV2Routes.users), (c) => v2Page(c, v2Users()));

  app.all('/api/v2/*', djangoNotFound);
}
