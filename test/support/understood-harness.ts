import { demoEquipment } from '../../core/cmms/demo-equipment.ts';
import type { IdentityPolicy, LinkedIdentity } from '../../core/identity/types.ts';
import { type EquipmentSummary, summarizeEquipment } from '../../core/workflows/results.ts';
import { harness } from './machine-harness.ts';

/**
 * Test support (machine tests only): the conversation machine as the runtime drives it once messages
 * are understood, with the demo CMMS's catalog (machine-harness.ts's `understandWith`).
 */

export const DEMO_CATALOG: EquipmentSummary[] = demoEquipment().map((e) =>
  summarizeEquipment(e as unknown as Record<string, unknown>),
);

/** The demo equipment with that internal code. */
export const demo = (code: string): EquipmentSummary => DEMO_CATALOG.find((e) => e.codigointerno === code)!;

export interface UnderstoodOptions {
  identity?: LinkedIdentity | null;
  policy?: IdentityPolicy;
  catalog?: EquipmentSummary[];
}

/** The harness with understood messages; `buttons` are the ids offered, `lookups` the equipment looked up. */
export function understoodConversation(opts: UnderstoodOptions = {}) {
  const h = harness({
    identity: opts.identity ?? null,
    ...(opts.policy ? { policy: opts.policy } : {}),
    understandWith: opts.catalog ?? DEMO_CATALOG,
  });
  const buttons = () => h.buttons.map((offered) => offered.map((b) => b.id));
  const draft = () => h.actor.getSnapshot().context.draft;
  return {
    actor: h.actor,
    started: h.started,
    lookups: h.calls.findEquipment,
    say: h.say,
    link: h.link,
    state: h.state,
    draft,
    get buttons() {
      return buttons();
    },
  };
}
