import type { IdentityPolicy, LinkedIdentity } from '../core/identity/types.ts';
import { foldText } from '../lib/fold-text.ts';
import type { Intent } from './intents.ts';

/**
 * What each CMMS role may ask for, and what needs a linked account. Roles fold into three groups:
 * technicians (start, complete, their assigned orders), supervisors (Supervisor and Administrador:
 * orders without a technician, assigning), and members (Operador, Solicitante, any other role:
 * report and follow their own orders). Every linked user has "mis OT" and the status of any order.
 */

export type RoleGroup = 'technician' | 'supervisor' | 'member';

export function roleGroup(role: string): RoleGroup {
  const name = foldText(role);
  if (name === 'tecnico') return 'technician';
  if (name === 'supervisor' || name === 'administrador') return 'supervisor';
  return 'member';
}

/** The identity that counts: linked and not expired (an expired link is an unlinked user for gating). */
export function liveIdentity(identity: LinkedIdentity | null | undefined): LinkedIdentity | null {
  return identity && !identity.expired ? identity : null;
}

/** Intents only some role groups may use. */
const RESTRICTED: Partial<Record<Intent, readonly RoleGroup[]>> = {
  my_assigned_orders: ['technician'],
  start_order: ['technician'],
  complete_order: ['technician'],
  unassigned_orders: ['supervisor'],
  assign_order: ['supervisor'],
};

export function mayDo(role: string, intent: Intent): boolean {
  const groups = RESTRICTED[intent];
  return !groups || groups.includes(roleGroup(role));
}

/** Actions that act as a person: always need a linked account, whatever the policy. */
export const PERSONAL_ACTIONS: readonly Intent[] = [
  'my_orders',
  'my_assigned_orders',
  'my_pending',
  'unassigned_orders',
  'start_order',
  'complete_order',
  'assign_order',
];
/** The other CMMS actions: they need a linked account with policy `all`. */
const CMMS_READS: readonly Intent[] = ['work_order_status', 'pending_work_orders', 'list_equipment'];

/**
 * Whether an intent needs a linked account under the policy (absent: `none`). `withOrderNumber`: the
 * message names an order, which idle reads as a status check.
 */
export function linkNeeded(intent: Intent, withOrderNumber: boolean, policy: IdentityPolicy = 'none'): boolean {
  if (PERSONAL_ACTIONS.includes(intent)) return true;
  if (intent === 'report_failure') return policy !== 'none';
  return policy === 'all' && (CMMS_READS.includes(intent) || (withOrderNumber && intent !== 'handoff'));
}
