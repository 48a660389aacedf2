import { randomUUID } from 'node:crypto';
import { OmnibotError } from '../errors.ts';
import type { RedisClient } from '../redis-connection.ts';
import { runTag } from '../redis-keys.ts';
import type { WorkflowError } from './types.ts';

/**
 * Which process runs an embedded workflow run, and how it ended, as every process sees it. The
 * process running a run holds a lease it renews while the run goes on; a run whose lease ran out
 * without a result was lost with its process, and may be claimed again (resumed) by another one.
 * In memory (no Redis) there is one process: the registry only serves idempotent triggers and
 * `status()`.
 */
export interface RunRegistry {
  /** How long a lease lasts without renewal (the holder renews it every third of it). */
  readonly leaseMs: number;
  /** Takes a run for this process: null when it has ended or a live process holds it. */
  claim(runId: string): Promise<RunClaim | null>;
  /** Extends the lease; false when the run ended or another process took it over. */
  renew(claim: RunClaim): Promise<boolean>;
  /**
   * Records the outcome and lets the lease go, when this claim still holds the run: false (nothing
   * written, the lease left alone) when the run ended or another process took it over.
   */
  finish(claim: RunClaim, outcome: RunOutcome): Promise<boolean>;
  get(runId: string): Promise<RunRecord | null>;
}

export interface RunClaim {
  runId: string;
  /** 1 for the first start; more when the run is resumed after its process died. */
  attempt: number;
  token: string;
  /** When the run's first attempt started (ms since the epoch), the same for every attempt. */
  startedAt: number;
}

export type RunOutcome = { state: 'success'; result: unknown } | { state: 'failed'; error: WorkflowError };

export type RunRecord =
  /** `alive`: its holder still renews the lease. */
  { state: 'running'; attempt: number; alive: boolean } | (RunOutcome & { attempt: number });

export interface RunRegistryOptions {
  leaseMs: number;
  /** How long a run's record is kept (well beyond any workflow timeout). */
  recordTtlMs?: number;
  /** Memory only: records kept at most (the oldest ended ones go first; running ones stay). */
  maxRecords?: number;
  now?: () => number;
}

const DAY_MS = 24 * 3600_000;

export function createMemoryRunRegistry(options: RunRegistryOptions): RunRegistry {
  const now = options.now ?? Date.now;
  const maxRecords = options.maxRecords ?? 10_000;
  type MemoryRecord = { attempt: number; token: string; startedAt: number; leaseUntil: number; outcome?: RunOutcome };
  const records = new Map<string, MemoryRecord>();
  /** Drops the oldest ended run; a running one is never forgotten (it could be started twice). */
  const evictOne = () => {
    for (const [runId, record] of records) {
      if (record.outcome) return void records.delete(runId);
    }
  };
  return {
    leaseMs: options.leaseMs,
    async claim(runId) {
      const record = records.get(runId);
      if (record && (record.outcome || record.leaseUntil > now())) return null;
      if (!record && records.size >= maxRecords) evictOne();
      const claim = {
        runId,
        attempt: (record?.attempt ?? 0) + 1,
        token: randomUUID(),
        startedAt: record?.startedAt ?? now(),
      };
      records.set(runId, {
        attempt: claim.attempt,
        token: claim.token,
        startedAt: claim.startedAt,
        leaseUntil: now() + options.leaseMs,
      });
      return claim;
    },
    async renew(claim) {
      const record = records.get(claim.runId);
      if (!record || record.outcome || record.token !== claim.token) return false;
      record.leaseUntil = now() + options.leaseMs;
      return true;
    },
    async finish(claim, outcome) {
      const record = records.get(claim.runId);
      if (!record || record.outcome || record.token !== claim.token) return false;
      record.outcome = outcome;
      record.leaseUntil = 0;
      return true;
    },
    async get(runId) {
      const record = records.get(runId);
      if (!record) return null;
      if (record.outcome) return { ...record.outcome, attempt: record.attempt };
      return { state: 'running', attempt: record.attempt, alive: record.leaseUntil > now() };
    },
  };
}

// KEYS: state hash, lease. A run that ended, or whose lease is held, is not claimed.
// ARGV: token, lease ms, record ttl ms, now (kept as the first attempt's start).
const CLAIM = `
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'success' or state == 'failed' then return {0, 0} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {0, 0} end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
local attempt = redis.call('HINCRBY', KEYS[1], 'attempt', 1)
redis.call('HSETNX', KEYS[1], 'started', ARGV[4])
redis.call('HSET', KEYS[1], 'state', 'running', 'token', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {attempt, redis.call('HGET', KEYS[1], 'started')}
`;

// A late renewal still holds the run when nobody took it over meanwhile.
const RENEW = `
local holder = redis.call('GET', KEYS[2])
if holder == ARGV[1] or (not holder and redis.call('HGET', KEYS[1], 'token') == ARGV[1]
    and redis.call('HGET', KEYS[1], 'state') == 'running') then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

// Only the attempt that holds the run (its token) writes the outcome; a taken-over one changes nothing.
// ARGV: state, outcome JSON, record ttl ms, token.
const FINISH = `
if redis.call('HGET', KEYS[1], 'state') ~= 'running' or redis.call('HGET', KEYS[1], 'token') ~= ARGV[4] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'outcome', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[4] then redis.call('DEL', KEYS[2]) end
return 1
`;

type RedisWithRunScripts = RedisClient & {
  omnibotRunClaim(...args: (string | number)[]): Promise<[number, string | number]>;
  omnibotRunRenew(...args: (string | number)[]): Promise<number>;
  omnibotRunFinish(...args: (string | number)[]): Promise<number>;
};

export interface RedisRunRegistryOptions extends RunRegistryOptions {
  redis: RedisClient;
  prefix: string;
  /** A Redis Cluster: a run's two keys share a hash tag (its scripts touch both). */
  cluster?: boolean;
}

/**
 * A run's keys: `<prefix>run-state:<run>` and `<prefix>run-lease:<run>`; on a cluster
 * `run-state:{<tag>}<run>` and `run-lease:{<tag>}<run>` (tag: `runTag`, never empty, no braces,
 * whatever the run id holds). A fixed word before the id: no run id can name another kind of key.
 */
export function runKeys(prefix: string, cluster = false) {
  const id = (runId: string) => (cluster ? `{${runTag(runId)}}${runId}` : runId);
  return {
    state: (runId: string) => `${prefix}run-state:${id(runId)}`,
    lease: (runId: string) => `${prefix}run-lease:${id(runId)}`,
  };
}

/** The registry in Redis: leases expire by themselves (`PX`), so no clock is compared across hosts. */
export function createRedisRunRegistry(options: RedisRunRegistryOptions): RunRegistry {
  const redis = options.redis as RedisWithRunScripts;
  if (typeof (redis as Partial<RedisWithRunScripts>).omnibotRunFinish !== 'function') {
    redis.defineCommand('omnibotRunClaim', { numberOfKeys: 2, lua: CLAIM });
    redis.defineCommand('omnibotRunRenew', { numberOfKeys: 2, lua: RENEW });
    redis.defineCommand('omnibotRunFinish', { numberOfKeys: 2, lua: FINISH });
  }
  const ttlMs = options.recordTtlMs ?? DAY_MS;
  const now = options.now ?? Date.now;
  const { state: stateKey, lease: leaseKey } = runKeys(options.prefix, options.cluster);
  return {
    leaseMs: options.leaseMs,
    async claim(runId) {
      const token = randomUUID();
      const [attempt, started] = await redis.omnibotRunClaim(
        stateKey(runId),
        leaseKey(runId),
        token,
        options.leaseMs,
        ttlMs,
        now(),
      );
      return attempt > 0 ? { runId, attempt, token, startedAt: Number(started) } : null;
    },
    async renew(claim) {
      const renewed = await redis.omnibotRunRenew(
        stateKey(claim.runId),
        leaseKey(claim.runId),
        claim.token,
        options.leaseMs,
      );
      return renewed === 1;
    },
    async finish(claim, outcome) {
      const { state, ...rest } = outcome;
      const written = await redis.omnibotRunFinish(
        stateKey(claim.runId),
        leaseKey(claim.runId),
        state,
        JSON.stringify(rest),
        ttlMs,
        claim.token,
      );
      return written === 1;
    },
    async get(runId) {
      const replies = await redis.multi().hgetall(stateKey(runId)).exists(leaseKey(runId)).exec();
      const [[hashError, hash], [leaseError, lease]] = replies as [[Error | null, unknown], [Error | null, unknown]];
      if (hashError || leaseError) throw hashError ?? leaseError;
      const fields = hash as Record<string, string>;
      if (!fields.state) return null;
      const attempt = Number(fields.attempt ?? 1);
      if (fields.state === 'running') return { state: 'running', attempt, alive: lease === 1 };
      const outcome = JSON.parse(fields.outcome ?? '{}') as { result?: unknown; error?: WorkflowError };
      return fields.state === 'success'
        ? { state: 'success', attempt, result: outcome.result }
        : {
            state: 'failed',
            attempt,
            error: outcome.error ?? { code: 'workflow_error', message: 'the run failed' },
          };
    },
  };
}

/** A lease for runs from the watcher's poll interval: lost runs are noticed within a few polls. */
export function runLeaseMsFor(pollIntervalMs: number): number {
  return Math.min(30_000, Math.max(5_000, 2 * pollIntervalMs));
}

/** A run's holder learned that another process took the run over: it ends without a word. */
export class RunTakenOverError extends OmnibotError {
  constructor(runId: string) {
    super('run_taken_over', `workflow run ${runId} was taken over by another process`, 409, { runId });
  }
}
