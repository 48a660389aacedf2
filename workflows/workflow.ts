import type { Reply } from '../lib/reply.ts';
import type { CmmsFailure, DagId, ErrorCode } from './catalog.ts';
import type { WorkflowCmms } from './cmms.ts';

/**
 * One workflow's TypeScript side, in one module (`workflows/<dag_id>.ts`): how it runs in-process,
 * the shape of its result, and what the user reads when it ends well. Its Python side is
 * `dags/<dag_id>.py`; both return the same result shape.
 */
export interface WorkflowModule<Id extends DagId, Result> {
  readonly id: Id;
  /**
   * Runs the workflow. `params` are the catalog's parameters, already checked and normalized
   * (`invalidParameters`, `normalizeParameters`): an integer is a number, a priority a CMMS name.
   */
  run(cmms: WorkflowCmms, params: Record<string, unknown>, run: RunContext): Promise<Result>;
  /** Whether a result (from either runner, through the callback) has this workflow's shape. */
  isResult(value: unknown): value is Result;
  /** What the user reads when the workflow ended well (Spanish, tú). */
  render(result: Result): Reply;
}

/** What the runner tells a workflow about the run it serves. */
export interface RunContext {
  /** The run's id; absent when the workflow is called outside a runner (e.g. a test). */
  runId?: string;
  /** 1 for the first start; more when the run was resumed: a workflow that writes to the CMMS must
   * then give the first attempt's outcome. */
  attempt: number;
  /** When the run's first attempt started (ms since the epoch). */
  startedAt?: number;
  /** Called right before a write to the CMMS: throws when another process has taken the run over. */
  confirmHeld?: () => Promise<void>;
  /** Ends the run with one of the catalog's error codes. */
  fail(code: ErrorCode, message: string): never;
  /** What a thrown error says about a failed CMMS call, or null when it is not one. */
  cmmsFailureOf(error: unknown): CmmsFailure | null;
}

/** Declares a workflow module; its id must be a catalog id (a type error otherwise). */
export function defineWorkflow<Id extends DagId, Result>(
  module: WorkflowModule<Id, Result>,
): WorkflowModule<Id, Result> {
  return module;
}
