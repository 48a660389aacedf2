import { expect } from 'vitest';
import { orderNamed } from './cmms.ts';
import type { RoleHarness } from './harness.ts';
import { linkAs } from './link.ts';
import { literal, PEOPLE, SEED } from './people.ts';
import { expectReportedBy, finishReport } from './report.ts';

const DESCRIPTION = 'Fuga de aceite hidráulico en el brazo principal';
const OBSERVATIONS = 'Se cambió el sello del cilindro y se probó sin fugas';

/**
 * Técnico (tecnico1, Juan Pérez), with policy `report`: reports a failure before linking (asked to
 * link, then the report goes on), lists the orders assigned to him, starts and completes the new
 * one, and is refused completing María's.
 */
export async function technicianFlow(h: RoleHarness, n: number): Promise<void> {
  const { juan, maria } = PEOPLE;
  const user = h.user(n, juan.fullName);

  await user.say('reportar falla');
  const ask = await user.next(/Para vincular tu cuenta del CMMS abre este enlace/);
  expect(ask.text).toMatch(/^Para reportar una falla necesito saber quién eres/);
  expect(ask.text).toMatch(/Cuando termines, sigo con tu solicitud\.$/);
  const linked = await linkAs(h, user, juan.username, juan, { linkMessage: ask });
  expect(linked.text).toMatch(/Sigo con tu solicitud\.$/);
  await user.next(/¿En qué equipo\?/);
  const numeroot = await finishReport(user, 'CAT-001', DESCRIPTION);
  // The demo CMMS, as the real one, makes the reporter the order's technician too.
  expect(await expectReportedBy(h, numeroot, juan, DESCRIPTION)).toMatchObject({ idtecnicoasignado: juan.id });

  await user.say('mis OT asignadas');
  const assigned = await user.next(new RegExp(`^(?!Procesando)[^]*${literal(numeroot)}`));
  expect(assigned.text).toMatch(/asignadas/);
  expect(assigned.text).toContain(numeroot);
  expect(assigned.text).toContain('OT-PREV-5');
  expect(assigned.text).not.toContain(SEED.mariasOrder);

  await user.say(`iniciar ${numeroot}`);
  await user.next(new RegExp(`^Listo[^]*${literal(numeroot)}[^]*quedó En Progreso`));
  expect(await orderNamed(h.cmmsApi, numeroot)).toMatchObject({ estado_nombre: 'En Progreso' });

  await user.say(`completar ${numeroot}`);
  const askObservations = await user.next(/Escribe las observaciones finales/);
  expect(askObservations.text).toContain(`Vas a completar la orden ${numeroot}`);
  await user.say(OBSERVATIONS);
  await user.next(/¿Cuánto tiempo te tomó el trabajo, en minutos\?/);
  await user.say('45');
  const confirm = await user.next(/¿Confirmas\?/);
  expect(confirm.text).toContain(numeroot);
  expect(confirm.text).toContain(OBSERVATIONS);
  expect(confirm.text).toContain('45 min');
  await user.press(confirm, 'confirm:yes');
  await user.next(new RegExp(`^Listo, completé la (OT|orden) ${literal(numeroot)}[^]*45 min`));
  expect(await orderNamed(h.cmmsApi, numeroot)).toMatchObject({
    estado_nombre: 'Completada',
    tiempototalminutos: 45,
    observacionesfinales: OBSERVATIONS,
  });

  // Someone else's order: a polite refusal, and the CMMS keeps it as it was.
  const before = await orderNamed(h.cmmsApi, SEED.mariasOrder);
  expect(before).toMatchObject({ estado_nombre: 'Asignada', idtecnicoasignado: maria.id });
  await user.say(`completar ${SEED.mariasOrder}`);
  const refusal = await user.next(new RegExp(`La orden ${SEED.mariasOrder} no está asignada a ti`));
  expect(refusal.text).toMatch(/pídele a tu supervisor que te la asigne/);
  expect(await orderNamed(h.cmmsApi, SEED.mariasOrder)).toEqual(before);
}
