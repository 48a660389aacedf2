import type {
  CmmsUserSummary,
  CompleteWorkOrderInput,
  ReportFailureInput,
  WorkOrderChange,
} from '../../workflows/cmms.ts';

/**
 * What differs between the CMMS's API versions (the original under `/api/`, the later one under
 * `/api/v2/`), as a strategy the client picks by `CMMS_API_PREFIX` (`cmmsApiVariant` in v2.ts). A
 * variant owns no HTTP: it gets the client's `call` (the service account's or a user's) in a context.
 */

export type CmmsMethod = 'GET' | 'POST' | 'PATCH';
/** One CMMS call, relative to the API prefix: the parsed JSON answer, or an `UpstreamError`. */
export type CmmsCall = (method: CmmsMethod, path: string, body?: unknown) => Promise<unknown>;
export type RawOrder = Record<string, unknown>;

/** The catalog tables a variant reads ids from, kept for a while (one per client, shared by its users). */
export interface CmmsCatalogs {
  /** A work-order state's id by name or a synonym (`En Progreso` ≈ `En Proceso`); undefined when none. */
  findStateId(call: CmmsCall, name: string): Promise<number | undefined>;
  /** As `findStateId`, but a missing state is a bad response. */
  stateId(call: CmmsCall, name: string): Promise<number>;
  /** A maintenance type's id by name (`Correctivo`); a missing one is a bad response. */
  maintenanceTypeId(call: CmmsCall, name: string): Promise<number>;
}

export interface CmmsApiContext {
  call: CmmsCall;
  /**
   * The CMMS user id of whoever acts: a linked user's, or the service account's from its login
   * answer; undefined when unknown (only a token was configured).
   */
  actingUserId(): Promise<number | undefined>;
  catalogs: CmmsCatalogs;
  /** The clock (tests). */
  now?: () => Date;
}

export interface CmmsApiVariant {
  readonly name: 'original' | 'v2';
  /** Creates the corrective order of a failure report; the new order as the API shows it. */
  createCorrectiveOrder(ctx: CmmsApiContext, input: ReportFailureInput): Promise<RawOrder>;
  /**
   * A quick look-up of an order by its number, before any paging; undefined when it found nothing
   * for sure or has no such route (the client then pages as before).
   */
  findOrderByNumber(ctx: CmmsApiContext, numeroot: string): Promise<RawOrder | undefined>;
  /** Completes an order; the order as it is now. */
  completeOrder(ctx: CmmsApiContext, id: number, input: CompleteWorkOrderInput): Promise<RawOrder>;
  /** Changes an order's state (by name) and/or technician; the order as it is now. */
  changeOrder(ctx: CmmsApiContext, id: number, change: WorkOrderChange): Promise<RawOrder>;
  /** Where the CMMS's users are listed. */
  readonly listUsersRoute: string;
  /** A listed user as the workflows see it; null for an item that is no user. */
  userOf(raw: Record<string, unknown>): CmmsUserSummary | null;
  /** An order of a list or an answer in the shape summaries read (v2 has no `fechacreacionot`). */
  orderOf(raw: RawOrder): RawOrder;
  /** The message of a parsed error answer (log-safe, cut), or undefined. */
  errorMessage(body: unknown): string | undefined;
}
