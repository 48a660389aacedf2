import { expect } from 'vitest';
import type { ChatUser } from './drivers.ts';

/** "reportar falla" to the new work order, pressing the buttons the channel delivered. */
export async function reportFailure(user: ChatUser, priorityForm: string): Promise<string> {
  await user.say('reportar falla');
  await user.next(/¿En qué equipo\?/);
  await user.say('CAT-001');
  await user.next(/Describe la falla/);
  await user.say('Fuga de aceite hidráulico en el brazo principal');
  const priority = await user.next(/¿Qué prioridad tiene\?/);
  expect(priority.form).toBe(priorityForm);
  expect(priority.buttons.map((b) => b.id)).toEqual([
    'priority:baja',
    'priority:media',
    'priority:alta',
    'priority:critica',
  ]);

  await user.press(priority, 'priority:alta');
  const confirmation = await user.next(/¿Confirmas\?/);
  expect(confirmation.text).toContain('CAT-001');
  expect(confirmation.buttons).toEqual([
    { id: 'confirm:yes', title: 'Confirmar' },
    { id: 'confirm:no', title: 'Cancelar' },
  ]);

  await user.press(confirmation, 'confirm:yes');
  await user.next(/^Procesando/);
  const result = await user.next(/Falla reportada/);
  const order = /OT-CORR-[\w-]+/.exec(result.text);
  expect(order).not.toBeNull();
  return order![0];
}

/** "consultar estado de OT-CORR-1": "procesando" at once, then the order's state. */
export async function workOrderStatus(user: ChatUser): Promise<void> {
  await user.say('consultar estado de OT-CORR-1');
  await user.next(/^Procesando: estoy consultando el estado de la orden OT-CORR-1/);
  const answer = await user.next(/OT-CORR-1\b/);
  expect(answer.text).toContain('En Progreso');
}
