import { type AnyStateMachine, fromPromise } from 'xstate';
import type { CmmsUserSummary, WorkOrderSummary } from '../../workflows/cmms.ts';
import { UpstreamError, WorkflowUnavailableError } from '../errors.ts';
import type { Invocation } from '../store/types.ts';
import type { EquipmentSummary } from '../workflows/results.ts';
import { withDeadline } from './deadline.ts';
import type {
  ConversationOnlyInput,
  ConversationServices,
  FindEquipmentInput,
  FindTechniciansInput,
  FindWorkOrderInput,
  IssuedLink,
  StartWorkflowInput,
} from './model.ts';

/**
 * What the invoked actors (workflow trigger, CMMS lookups, the identity link) answer during a turn, per conversation
 * (turns of one conversation are serial in a process), for the event log: a replay needs no I/O.
 */
export class InvocationLog {
  readonly #open = new Map<string, Invocation[]>();
  readonly #actorTimeoutMs: number;

  constructor(actorTimeoutMs: number) {
    this.#actorTimeoutMs = actorTimeoutMs;
  }

  /** Opens the turn's list; what the actors it starts answer lands there, until `end`. */
  begin(conversationId: string): Invocation[] {
    const list: Invocation[] = [];
    this.#open.set(conversationId, list);
    return list;
  }

  end(conversationId: string): void {
    this.#open.delete(conversationId);
  }

  /**
   * Runs one invoked actor's work within its deadline and records its output or error; `redact`
   * gives what the log keeps of an output that must not be kept as is (the actor still gets it all).
   */
  async record<T>(
    conversationId: string,
    src: string,
    work: () => Promise<T>,
    redact?: (output: T) => unknown,
  ): Promise<T> {
    // The list of the turn that started the actor: a late answer never lands in a later turn's log.
    const list = this.#open.get(conversationId);
    try {
      const ms = this.#actorTimeoutMs;
      const output = await withDeadline(work(), ms, () => actorTimeout(src, ms));
      const kept = redact ? redact(output) : output;
      list?.push({ src, ...(kept !== undefined ? { output: kept } : {}) });
      return output;
    } catch (error) {
      const { code, reason } = error as { code?: string; reason?: string };
      list?.push({
        src,
        error: { message: (error as Error).message, ...(code ? { code } : {}), ...(reason ? { reason } : {}) },
      });
      throw error;
    }
  }

  /** The services, each recorded under its actor name. */
  recording(services: ConversationServices): ConversationServices {
    return {
      startWorkflow: (input) => this.record(input.conversationId, 'startWorkflow', () => services.startWorkflow(input)),
      findEquipment: (input) => this.record(input.conversationId, 'findEquipment', () => services.findEquipment(input)),
      // The link's URL holds a one-time code that logs the user in: the log keeps its place only.
      issueLink: (input) =>
        this.record(
          input.conversationId,
          'issueLink',
          () => services.issueLink(input),
          (link) => ({ url: REDACTED_LINK, expiresAt: link.expiresAt }),
        ),
      unlinkIdentity: (input) =>
        this.record(input.conversationId, 'unlinkIdentity', () => services.unlinkIdentity(input)),
      findWorkOrder: (input) => this.record(input.conversationId, 'findWorkOrder', () => services.findWorkOrder(input)),
      findTechnicians: (input) =>
        this.record(input.conversationId, 'findTechnicians', () => services.findTechnicians(input)),
    };
  }
}

/** What the event log keeps of an issued link's URL. */
export const REDACTED_LINK = '[link]';

/** The machine with its invoked actors provided (they read the conversation from their input). */
export function provideServices(machine: AnyStateMachine, services: ConversationServices): AnyStateMachine {
  return machine.provide({
    actors: {
      startWorkflow: fromPromise<void, StartWorkflowInput>(({ input }) => services.startWorkflow(input)),
      findEquipment: fromPromise<EquipmentSummary[], FindEquipmentInput>(({ input }) => services.findEquipment(input)),
      issueLink: fromPromise<IssuedLink, ConversationOnlyInput>(({ input }) => services.issueLink(input)),
      unlinkIdentity: fromPromise<boolean, ConversationOnlyInput>(({ input }) => services.unlinkIdentity(input)),
      findWorkOrder: fromPromise<WorkOrderSummary | null, FindWorkOrderInput>(({ input }) =>
        services.findWorkOrder(input),
      ),
      findTechnicians: fromPromise<CmmsUserSummary[], FindTechniciansInput>(({ input }) =>
        services.findTechnicians(input),
      ),
    },
  });
}

/** An invoked actor out of time: the machine's error path for it (workflow unavailable, CMMS down). */
function actorTimeout(src: string, ms: number): Error {
  return src === 'startWorkflow'
    ? new WorkflowUnavailableError('unreachable', `${src} took longer than ${ms} ms`)
    : new UpstreamError('cmms', `${src} took longer than ${ms} ms`, { retryable: true });
}
