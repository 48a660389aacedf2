import type { Context, Hono } from 'hono';
import { forUser } from './demo-auth.ts';
import { type DemoEquipment, type DemoWorkOrder, MAINTENANCE_TYPES, WORK_ORDER_STATES } from './demo-data.ts';
import { CompleteSchema, checkedBody, PatchOrderSchema, ReportFailureSchema } from './demo-guard.ts';
import { NOT_FOUND, page } from './demo-http.ts';
import { type DemoUser, fullName, userById } from './demo-users.ts';
import { cmmsRoutes } from './routes.ts';

/**
 * The demo CMMS's work orders, open to anyone as in the CMMS (list, detail, `completar/`, PATCH),
 * except a failure report: its requester, and its technician, is the token's user.
 */

/** Orders created through the API that are kept (the oldest created one goes first); the seed stays. */
export const MAX_CREATED_ORDERS = 1_000;

const api = (route: string) => `/api/${route}`;
const stateId = (name: string) => WORK_ORDER_STATES.indexOf(name) + 1;
/** DRF's refusal of a foreign key to a row that does not exist. */
const noSuchRow = (id: number) => [`Clave primaria "${id}" inválida - objeto no existe.`];

export function registerOrderRoutes(app: Hono, equipment: DemoEquipment[], orders: DemoWorkOrder[]): void {
  const seeded = orders.length;
  const find = (c: Context) => orders.find((o) => o.idordentrabajo === Number(c.req.param('id')));

  app.get(api(cmmsRoutes.workOrders), (c) => page(c, orders));
  app.get(api(cmmsRoutes.workOrder(':id')), (c) => {
    const found = find(c);
    return found ? c.json(found) : c.json(NOT_FOUND, 404);
  });

  app.post(
    api(cmmsRoutes.reportFailure),
    forUser(async (c, user) => {
      const checked = await checkedBody(c, ReportFailureSchema);
      if (!checked.ok) return c.json(checked.errors, checked.status);
      const body = checked.value;
      const eq = equipment.find((e) => e.idequipo === body.idequipo);
      if (!eq) return c.json({ idequipo: ['Equipo no encontrado.'] }, 400);
      const created = reportedFailure(orders, eq, body, user);
      orders.push(created);
      if (orders.length - seeded > MAX_CREATED_ORDERS) orders.splice(seeded, 1);
      return c.json(created, 201);
    }),
  );

  app.post(api(cmmsRoutes.completeWorkOrder(':id')), async (c) => {
    const found = find(c);
    if (!found) return c.json(NOT_FOUND, 404);
    const checked = await checkedBody(c, CompleteSchema);
    if (!checked.ok) return c.json(checked.errors, checked.status);
    const body = checked.value;
    Object.assign(found, {
      estado_nombre: 'Completada',
      idestadoot: stateId('Completada'),
      fechacompletado: new Date().toISOString(),
      observacionesfinales: body.observacionesfinales ?? found.observacionesfinales,
      tiempototalminutos: body.tiempototalminutos ?? found.tiempototalminutos,
    });
    return c.json({ message: 'Orden de trabajo completada exitosamente', orden: found });
  });

  app.patch(api(cmmsRoutes.workOrder(':id')), async (c) => {
    const found = find(c);
    if (!found) return c.json(NOT_FOUND, 404);
    const checked = await checkedBody(c, PatchOrderSchema);
    if (!checked.ok) return c.json(checked.errors, checked.status);
    const { idtecnicoasignado, idestadoot, ...plain } = checked.value;
    const technician = idtecnicoasignado == null ? undefined : userById(idtecnicoasignado);
    const errors: Record<string, string[]> = {};
    if (idtecnicoasignado != null && !technician) errors.idtecnicoasignado = noSuchRow(idtecnicoasignado);
    if (idestadoot !== undefined && !WORK_ORDER_STATES[idestadoot - 1]) errors.idestadoot = noSuchRow(idestadoot);
    if (Object.keys(errors).length) return c.json(errors, 400);
    for (const [key, value] of Object.entries(plain)) if (value !== undefined) Object.assign(found, { [key]: value });
    if (idtecnicoasignado !== undefined) {
      found.idtecnicoasignado = technician?.id ?? null;
      found.tecnico_nombre = technician ? fullName(technician) : null;
    }
    if (idestadoot !== undefined) {
      found.idestadoot = idestadoot;
      found.estado_nombre = WORK_ORDER_STATES[idestadoot - 1]!;
    }
    return c.json(found);
  });
}

/** A new corrective order, Abierta, whose requester and technician are the reporting user (as the CMMS does). */
function reportedFailure(
  orders: DemoWorkOrder[],
  eq: DemoEquipment,
  body: {
    descripcionproblemareportado: string;
    prioridad: DemoWorkOrder['prioridad'];
    horometro?: number | null | undefined;
    observacionesadicionales?: string | null | undefined;
  },
  user: DemoUser,
): DemoWorkOrder {
  const now = new Date().toISOString();
  const stamp = now.replace(/\D/g, '').slice(0, 14);
  const id = Math.max(...orders.map((o) => o.idordentrabajo)) + 1;
  return {
    idordentrabajo: id,
    numeroot: `OT-CORR-${eq.codigointerno}-${stamp}-${id}`,
    idequipo: eq.idequipo,
    equipo_nombre: eq.nombreequipo,
    idplanorigen: null,
    plan_nombre: null,
    idtipomantenimientoot: MAINTENANCE_TYPES.indexOf('Correctivo') + 1,
    tipo_mantenimiento_nombre: 'Correctivo',
    idestadoot: stateId('Abierta'),
    estado_nombre: 'Abierta',
    fechacreacionot: now,
    fechaemision: now,
    fechaejecucion: null,
    fechacompletado: null,
    idsolicitante: user.id,
    solicitante_nombre: fullName(user),
    idtecnicoasignado: user.id,
    tecnico_nombre: fullName(user),
    horometro: body.horometro ?? null,
    prioridad: body.prioridad,
    descripcionproblemareportado: body.descripcionproblemareportado,
    fechareportefalla: now,
    // The CMMS keeps the report's additional observations as the order's observations.
    observacionesfinales: body.observacionesadicionales ?? null,
    tiempototalminutos: null,
    actividades: [],
  };
}
