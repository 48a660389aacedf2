import { afterAll, beforeAll, describe, it } from 'vitest';
import { eraseFlow, expiredSessionFlow } from './account.ts';
import { CHANNELS, type RoleHarness, startRoleHarness } from './harness.ts';
import { operatorFlow, supervisorFlow } from './supervisor-operator.ts';
import { technicianFlow } from './technician.ts';

/**
 * Each role's flows on each channel, end to end through the real gateway (Redis store, embedded
 * runner, embedded demo CMMS, identity policy `report`). One gateway per channel; the flows of a
 * channel run side by side, each in its own conversation and as its own CMMS user, so they stay
 * independent (the demo keeps one token per user: the logged-out user is nobody else's).
 */

/** A flow is a whole conversation; channels pace their replies (about one a second per chat). */
const FLOW_TIMEOUT_MS = 60_000;

describe.concurrent.each(CHANNELS)('roles on %s', (channel) => {
  let h: RoleHarness;
  beforeAll(async () => {
    h = await startRoleHarness(channel);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it(
    'Técnico: report before linking, mis OT asignadas, iniciar, completar, refused on another’s order',
    async () => {
      await technicianFlow(h, 1);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'Supervisor: OT sin asignar, asignar by name and by button',
    async () => {
      await supervisorFlow(h, 2);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'Operador: report and follow it, iniciar refused, cerrar sesión unlinks',
    async () => {
      await operatorFlow(h, 3);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'any linked user: borrar mis datos erases the link, transcript and events',
    async () => {
      await eraseFlow(h, 4);
    },
    FLOW_TIMEOUT_MS,
  );

  it(
    'a CMMS logout (401 on the user’s token) asks to link again, then the action runs',
    async () => {
      await expiredSessionFlow(h, 5);
    },
    FLOW_TIMEOUT_MS,
  );
});
