import { expect } from 'vitest';
import type { DemoWorkOrder } from '../../core/cmms/demo-data.ts';
import { orderNamed } from './cmms.ts';
import { CHANNEL_NAMES, type RoleHarness, type RoleUser } from './harness.ts';
import type { Person } from './people.ts';

/**
 * The rest of a failure report once "¿En qué equipo?" was asked: equipment, description, priority
 * (a button), confirmation (a button); returns the new order's number from the assistant's answer.
 */
export async function finishReport(user: RoleUser, equipment: string, description: string): Promise<string> {
  await user.say(equipment);
  await user.next(/Describe la falla/);
  await user.say(description);
  const priority = await user.next(/¿Qué prioridad tiene\?/);
  await user.press(priority, 'priority:alta');
  const confirmation = await user.next(/¿Confirmas\?/);
  expect(confirmation.text).toContain(equipment);
  await user.press(confirmation, 'confirm:yes');
  const result = await user.next(/Falla reportada/);
  const order = /OT-CORR-[\w-]+/.exec(result.text);
  expect(order, result.text).not.toBeNull();
  return order![0];
}

/** The new order as the CMMS recorded it: requested by `person`, who reported it named with the channel. */
export async function expectReportedBy(
  harness: RoleHarness,
  numeroot: string,
  person: Person,
  description: string,
): Promise<DemoWorkOrder> {
  const order = await orderNamed(harness.cmmsApi, numeroot);
  expect(order).toMatchObject({
    idsolicitante: person.id,
    solicitante_nombre: person.fullName,
    estado_nombre: 'Abierta',
    prioridad: 'Alta',
    descripcionproblemareportado: description,
  });
  expect(order.observacionesfinales).toContain(
    `Reportado por ${person.fullName} vía ${CHANNEL_NAMES[harness.channel]}`,
  );
  return order;
}
