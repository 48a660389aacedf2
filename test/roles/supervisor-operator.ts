import { expect } from 'vitest';
import { orderNamed } from './cmms.ts';
import type { RoleHarness } from './harness.ts';
import { linkAs } from './link.ts';
import { literal, PEOPLE, SEED } from './people.ts';
import { expectReportedBy, finishReport } from './report.ts';

/**
 * Supervisor (supervisor1, Carolina Muñoz; a wrong password first on the link page): the open
 * orders without a technician, one assigned to María by name, one to a technician chosen from
 * buttons.
 */
export async function supervisorFlow(h: RoleHarness, n: number): Promise<void> {
  const { carolina, maria, pedro } = PEOPLE;
  const user = h.user(n, carolina.fullName);
  const linked = await linkAs(h, user, carolina.username, carolina, { wrongPasswordFirst: true });
  expect(linked.text).toMatch(/Ahora puedo ayudarte con/);

  await user.say('OT sin asignar');
  const list = await user.next(/^Órdenes de trabajo sin (técnico )?asignar/);
  expect(list.text).toContain(SEED.unassigned);
  expect(list.text).toContain(SEED.unassignedCritical);
  expect(list.text).not.toContain(SEED.mariasOrder);

  await user.say(`asignar ${SEED.unassigned} a María`);
  await user.next(
    new RegExp(`^Listo, asigné la (OT|orden) ${literal(SEED.unassigned)} a ${maria.fullName}[^]*Asignada`),
  );
  expect(await orderNamed(h.cmmsApi, SEED.unassigned)).toMatchObject({
    estado_nombre: 'Asignada',
    idtecnicoasignado: maria.id,
    tecnico_nombre: maria.fullName,
  });

  // "técnico" matches every technician: buttons, one pressed.
  await user.say(`asignar ${SEED.unassignedCritical} a técnico`);
  const choose = await user.next(/^Encontré varios técnicos/);
  expect(choose.text).toContain(SEED.unassignedCritical);
  expect(choose.buttons.map((b) => b.id).sort()).toEqual([
    'technician:10',
    'technician:11',
    'technician:12',
    'technician:13',
  ]);
  expect(choose.buttons.find((b) => b.id === `technician:${pedro.id}`)?.title).toBe(pedro.fullName);
  await user.press(choose, `technician:${pedro.id}`);
  await user.next(
    new RegExp(`^Listo, asigné la (OT|orden) ${literal(SEED.unassignedCritical)} a ${pedro.fullName}[^]*Asignada`),
  );
  expect(await orderNamed(h.cmmsApi, SEED.unassignedCritical)).toMatchObject({
    estado_nombre: 'Asignada',
    idtecnicoasignado: pedro.id,
    tecnico_nombre: pedro.fullName,
  });
}

const DESCRIPTION = 'Ruido fuerte en la transmisión al subir pendientes';

/**
 * Operador (operador1, Diego Fuentes): reports a failure and follows it in "mis OT"; starting it is
 * refused (it is for technicians); "cerrar sesión" unlinks, and "mis OT" then asks to link.
 */
export async function operatorFlow(h: RoleHarness, n: number): Promise<void> {
  const { diego } = PEOPLE;
  const user = h.user(n, diego.fullName);
  await linkAs(h, user, diego.username, diego);

  await user.say('reportar falla');
  await user.next(/¿En qué equipo\?/);
  const numeroot = await finishReport(user, 'KOM-001', DESCRIPTION);
  await expectReportedBy(h, numeroot, diego, DESCRIPTION);

  await user.say('mis OT');
  const mine = await user.next(new RegExp(`^(?!Procesando)[^]*${literal(numeroot)}`));
  expect(mine.text).toMatch(/^Tus órdenes de trabajo/);

  await user.say(`iniciar ${numeroot}`);
  const refusal = await user.next(/^Iniciar y completar órdenes es para técnicos/);
  expect(refusal.text).toMatch(/pídeselo al técnico asignado o a un supervisor/);
  expect(await orderNamed(h.cmmsApi, numeroot)).toMatchObject({ estado_nombre: 'Abierta' });

  await user.say('cerrar sesión');
  await user.next(/^Listo, desvinculé tu cuenta del CMMS de este chat/);
  await user.say('mis OT');
  const ask = await user.next(/Para vincular tu cuenta del CMMS abre este enlace/);
  expect(ask.text).toMatch(/^Para eso necesito saber quién eres en el CMMS\./);
}
