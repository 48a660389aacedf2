import { type AnyActorRef, createActor, fromPromise, type SimulatedClock, waitFor } from 'xstate';
import { matchEquipment } from '../../core/cmms/match-equipment.ts';
import type { IdentityPolicy, LinkedIdentity } from '../../core/identity/types.ts';
import type { OrderChange, OrderChangedEvent } from '../../core/runtime/model.ts';
import type { EquipmentSummary } from '../../core/workflows/results.ts';
import type { WorkflowError } from '../../core/workflows/types.ts';
import type { Reply } from '../../lib/reply.ts';
import {
  type ConversationEvent,
  type ConversationOnlyInput,
  conversationMachine,
  type FindEquipmentInput,
  type FindTechniciansInput,
  type FindWorkOrderInput,
  type IssuedLink,
  type ReplyEmitted,
  type StartWorkflowInput,
  stateName,
} from '../../machines/conversation.ts';
import { understandText } from '../../machines/understanding.ts';
import type { CmmsUserSummary, WorkOrderSummary } from '../../workflows/cmms.ts';

/**
 * Test support (used by the machine's tests only): the conversation machine with fake services, and
 * a user who writes with an identity and a policy as the runtime would put them on each message.
 */

export const EXCAVATOR: EquipmentSummary = {
  idequipo: 1,
  codigointerno: 'CAT-001',
  nombreequipo: 'Excavadora CAT 320',
  marca: 'Caterpillar',
  modelo: '320',
  estado_nombre: 'Operativo',
  faena_nombre: 'Faena Norte',
};

const identity = (cmmsUserId: number, username: string, fullName: string, role: string): LinkedIdentity => ({
  cmmsUserId,
  username,
  fullName,
  role,
  linkedAt: '2026-01-05T12:00:00.000Z',
});
export const TECHNICIAN = identity(7, 'tecnico1', 'Juan Pérez', 'Técnico');
export const SUPERVISOR = identity(3, 'supervisor1', 'Ana Rojas', 'Supervisor');
export const ADMIN = identity(1, 'admin', 'Marta Díaz', 'Administrador');
export const OPERATOR = identity(9, 'operador1', 'Pedro Soto', 'Operador');

export function workOrder(fields: Partial<WorkOrderSummary> & { numeroot: string }): WorkOrderSummary {
  return {
    idordentrabajo: 1,
    equipo_nombre: 'Excavadora CAT 320',
    estado_nombre: 'Asignada',
    tipo_mantenimiento_nombre: 'Correctivo',
    prioridad: 'Alta',
    tecnico_nombre: 'Juan Pérez',
    fechacreacionot: null,
    descripcionproblemareportado: null,
    idsolicitante: 9,
    idtecnicoasignado: TECHNICIAN.cmmsUserId,
    solicitante_nombre: 'Pedro Soto',
    ...fields,
  };
}

/** What the runtime's lookups throw when the CMMS refuses the user's token (`IdentityExpiredError`). */
const identityExpired = () => Object.assign(new Error('no live CMMS link'), { code: 'identity_expired' });
/** What the runtime's `issueLink` throws for a sender that is not authenticated (`LinkNotAllowedError`). */
const linkNotAllowed = () =>
  Object.assign(new Error('this conversation cannot link a CMMS account'), { code: 'link_not_allowed' });

export const LINK_URL = 'https://bot.example.cl/link/abc123';

/** Where the harness's clock starts; it moves a second per event the harness sends. */
export const HARNESS_START = 1_700_000_000_000;
export const MINUTE = 60_000;

export interface HarnessOptions {
  identity?: LinkedIdentity | null;
  /** Absent: as the runtime without an identity service (`none`). */
  policy?: IdentityPolicy;
  channel?: string;
  userName?: string;
  /** Default `<channel>:u1` (`web:u1` without a channel), as the runtime names conversations. */
  conversationId?: string;
  equipment?: EquipmentSummary[];
  /** Orders `findWorkOrder` knows, by number; `'fail'` makes it throw. */
  orders?: Record<string, WorkOrderSummary> | 'fail';
  technicians?: CmmsUserSummary[];
  /** The lookups made with the user's token fail as the runtime's do when the CMMS refuses it. */
  expiredToken?: boolean;
  /** `issueLink` fails (`true`: Redis down), or is refused to an unauthenticated sender (`not_allowed`). */
  failLink?: boolean | 'not_allowed';
  /**
   * The next starts the runtime refuses, one error code each (e.g. `identity_expired`: a user-only run
   * without a live link); once used up, starts succeed. A refused start is not in `started`.
   */
  refuseStarts?: string[];
  /** What `unlinkIdentity` answers (was there a link). */
  hadLink?: boolean;
  snapshot?: unknown;
  clock?: SimulatedClock;
  /**
   * As the runtime once messages are understood: each typed message carries `understood`, read with this
   * catalog (buttons carry none), and `findEquipment` looks up the codes it resolved, else by query with
   * the CMMS's own matching (instead of `equipment`).
   */
  understandWith?: EquipmentSummary[];
}

/** The fake `findEquipment`: the codes the understanding resolved, else the query matched as the CMMS does. */
function equipmentLookup(opts: HarnessOptions, input: FindEquipmentInput): EquipmentSummary[] {
  const catalog = opts.understandWith;
  if (!catalog) {
    const query = input.query.toLowerCase();
    return (opts.equipment ?? [EXCAVATOR]).filter((e) =>
      `${e.codigointerno} ${e.nombreequipo}`.toLowerCase().includes(query),
    );
  }
  return input.codes?.length
    ? catalog.filter((e) => input.codes!.includes(e.codigointerno ?? ''))
    : matchEquipment(catalog, input.query);
}

export function harness(opts: HarnessOptions = {}) {
  const started: StartWorkflowInput[] = [];
  const refused: StartWorkflowInput[] = [];
  const refusals = [...(opts.refuseStarts ?? [])];
  const calls = {
    issueLink: 0,
    unlinkIdentity: 0,
    findWorkOrder: [] as string[],
    findTechnicians: [] as string[],
    findEquipment: [] as FindEquipmentInput[],
  };
  const machine = conversationMachine.provide({
    actors: {
      startWorkflow: fromPromise<void, StartWorkflowInput>(async ({ input }) => {
        const code = refusals.shift();
        if (code === undefined) return void started.push(input);
        refused.push(input);
        throw Object.assign(new Error(`start refused: ${code}`), { code });
      }),
      findEquipment: fromPromise<EquipmentSummary[], FindEquipmentInput>(async ({ input }) => {
        calls.findEquipment.push(input);
        return equipmentLookup(opts, input);
      }),
      issueLink: fromPromise<IssuedLink, ConversationOnlyInput>(async () => {
        calls.issueLink += 1;
        if (opts.failLink === 'not_allowed') throw linkNotAllowed();
        if (opts.failLink) throw new Error('redis down');
        return { url: LINK_URL, expiresAt: 1_700_000_600_000 };
      }),
      unlinkIdentity: fromPromise<boolean, ConversationOnlyInput>(async () => {
        calls.unlinkIdentity += 1;
        return opts.hadLink ?? true;
      }),
      findWorkOrder: fromPromise<WorkOrderSummary | null, FindWorkOrderInput>(async ({ input }) => {
        calls.findWorkOrder.push(input.numeroot);
        if (opts.expiredToken) throw identityExpired();
        if (opts.orders === 'fail') throw new Error('cmms down');
        return opts.orders?.[input.numeroot] ?? null;
      }),
      findTechnicians: fromPromise<CmmsUserSummary[], FindTechniciansInput>(async ({ input }) => {
        calls.findTechnicians.push(input.query);
        if (opts.expiredToken) throw identityExpired();
        const query = input.query.toLowerCase();
        return (opts.technicians ?? []).filter((t) => `${t.fullName} ${t.username}`.toLowerCase().includes(query));
      }),
    },
  });
  const actor = createActor(machine, {
    input: {
      conversationId: opts.conversationId ?? `${opts.channel ?? 'web'}:u1`,
      workflowTimeoutMs: 60_000,
      now: HARNESS_START,
    },
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.snapshot ? { snapshot: opts.snapshot as never } : {}),
  });
  const texts: string[] = [];
  const buttons: { id: string; title: string }[][] = [];
  actor.on('reply', (e: ReplyEmitted) => {
    texts.push(e.reply.text);
    buttons.push(e.reply.buttons ?? []);
  });
  actor.start();
  let clockAt = HARNESS_START;
  /** Each event a second after the previous one (the machine never reads the clock). */
  const next = () => {
    clockAt += 1_000;
    return clockAt;
  };
  const user = { identity: opts.identity ?? null };

  const send = async (event: ConversationEvent) => {
    texts.length = 0;
    buttons.length = 0;
    actor.send(event);
    await waitFor(actor as AnyActorRef, (s) => !s.hasTag('busy'));
    return texts.join('\n');
  };
  /** The user writes (or presses a button), with their identity and policy as the runtime puts them. */
  const say = (text: string, action?: string) =>
    send({
      type: 'user.message',
      text,
      ...(action ? { action } : {}),
      at: next(),
      identity: user.identity,
      ...(opts.policy ? { identityPolicy: opts.policy } : {}),
      ...(opts.channel ? { channel: opts.channel } : {}),
      ...(opts.userName ? { userName: opts.userName } : {}),
      ...(opts.understandWith && !action ? { understood: understandText(text, opts.understandWith) } : {}),
    });
  /** The user linked on the link page: the runtime's event, and their next messages carry the link. */
  const link = (identity: LinkedIdentity) => {
    user.identity = identity;
    return send({ type: 'identity.linked', identity, at: next() });
  };
  /** The result of the last run started. */
  const finish = (outcome: { result: unknown } | { error: WorkflowError }) => {
    const run = started.at(-1)!;
    return send({
      type: 'workflow.result',
      runId: run.runId,
      dagId: run.dagId,
      status: 'result' in outcome ? 'success' : 'failed',
      ...outcome,
      at: next(),
    });
  };
  const state = () => stateName(actor.getSnapshot().value);
  const persisted = () => JSON.parse(JSON.stringify(actor.getPersistedSnapshot()));
  return { actor, started, refused, calls, user, say, send, link, finish, state, persisted, texts, buttons };
}

/**
 * OT-CORR-1 of the excavator went from Asignada to En Progreso, Juan Pérez (user 7) on it before and
 * after (by name: no previous technician id unless given), requested by user 9.
 */
export function orderChange(fields: Partial<OrderChange> = {}): OrderChange {
  return {
    changeId: '12:3',
    orderId: 12,
    number: 'OT-CORR-1',
    equipment: 'Excavadora CAT 320',
    state: 'En Progreso',
    previousState: 'Asignada',
    technicianId: 7,
    technicianName: 'Juan Pérez',
    previousTechnicianName: 'Juan Pérez',
    requesterId: 9,
    ...fields,
  };
}

/**
 * The harness for the order-change notifications: every reply kept whole (kind, template) besides
 * the texts; `notify` sends an `order.changed` of `orderChange({...base, ...fields})` ten minutes
 * after the start unless told when.
 */
export function notifiedConversation(opts: HarnessOptions = {}, base: Partial<OrderChange> = {}) {
  const h = harness(opts);
  const replies: Reply[] = [];
  h.actor.on('reply', (e: ReplyEmitted) => replies.push(e.reply));
  const notify = (
    fields: Partial<OrderChange> = {},
    relation: OrderChangedEvent['relation'] = 'requester',
    at = HARNESS_START + 10 * MINUTE,
  ) => h.send({ type: 'order.changed', change: orderChange({ ...base, ...fields }), relation, at });
  const notificationsOff = () => h.actor.getSnapshot().context.notificationsOff;
  return { ...h, replies, notify, notificationsOff };
}
