import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { cpuSeconds, pinnedTo, ROOT, track } from './servers.ts';

/**
 * wrk (C, one event-loop thread; Debian package `wrk`) drives the web path; see bench/wrk/post-hola.lua.
 * BENCH_WRK names another binary; otherwise the first `wrk` on PATH.
 */
export const WRK =
  process.env.BENCH_WRK ??
  (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'wrk'))
    .find((file) => existsSync(file)) ??
  '/usr/bin/wrk';
const SCRIPT = 'bench/wrk/post-hola.lua';
/** wrk's own core; the server under load is pinned to core 1. */
const WRK_CORE = 0;
/** How often the CPU time of wrk and of the server is read while wrk runs. */
const CPU_SAMPLE_MS = 200;
/** A wrk that has not finished this long after its duration is killed. */
const WRK_GRACE_MS = 20_000;

export function wrkInstalled(): boolean {
  return existsSync(WRK);
}

export interface WrkOptions {
  connections: number;
  durationSec: number;
  /** The gateway's WEB_API_KEY (the bare echo ignores it). */
  apiKey: string;
  /** Users the messages are spread over ("bench-00000", …). */
  users: number;
  /** Message-id prefix: unique per run, so that no message is an already answered retry. */
  runId: string;
  /** Number of the first message (users continue from there: n % users). */
  firstMessage?: number;
  /** Pause before each request on each connection (pacing; wrk's delay() hook). */
  delayMs?: number;
  /** Stop once this many responses came back (the duration is then only a deadline). */
  stopAfter?: number;
  /** The server's pid, to report how busy its core was. */
  serverPid?: number;
}

export interface LoadResult {
  name: string;
  requests: number;
  requestsPerSec: number;
  /** Latencies in ms (wrk measures from the request's write to its response). */
  p50: number;
  p99: number;
  max: number;
  /** Socket errors and timeouts. */
  errors: number;
  non2xx: number;
  /** Status codes other than 2xx and their counts. */
  statuses: Record<string, number>;
  /** CPU used by wrk / by the server over the run, in % of one core. */
  wrkCpuPercent: number;
  serverCpuPercent: number | null;
}

interface WrkSummary {
  durationUs: number;
  requests: number;
  connectErrors: number;
  readErrors: number;
  writeErrors: number;
  timeouts: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  threads: Array<{ responses: number; non2xx: number; statuses: Record<string, number> }>;
}

/** One wrk run (one thread, pinned to core 0) against `url`; its result line parsed. */
export async function runWrk(name: string, url: string, opts: WrkOptions): Promise<LoadResult> {
  const args = [
    ...pinnedTo(WRK_CORE),
    WRK,
    '--threads=1',
    `--connections=${opts.connections}`,
    `--duration=${opts.durationSec}s`,
    '--timeout=10s',
    `--script=${SCRIPT}`,
    url,
  ];
  const child = track(
    spawn(args[0]!, args.slice(1), {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        BENCH_USERS: String(opts.users),
        BENCH_FIRST_MESSAGE: String(opts.firstMessage ?? 0),
        BENCH_RUN_ID: opts.runId,
        BENCH_API_KEY: opts.apiKey,
        BENCH_DELAY_MS: String(opts.delayMs ?? 0),
        BENCH_STOP_AFTER: String(opts.stopAfter ?? 0),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const pid = child.pid!;
  const started = performance.now();
  // CPU times can only be read while the processes run: the first and last readings, and when.
  const first = { wrk: 0, server: opts.serverPid ? await cpuSeconds(opts.serverPid) : null, at: started };
  let last = { ...first };
  const sample = async () => {
    const wrk = await cpuSeconds(pid);
    const server = opts.serverPid ? await cpuSeconds(opts.serverPid) : null;
    if (wrk !== null && child.exitCode === null) last = { wrk, server, at: performance.now() };
  };
  const sampler = setInterval(() => void sample(), CPU_SAMPLE_MS);
  let output = '';
  let errorOutput = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    // The script says when it has had its responses: SIGINT makes wrk stop and print its summary.
    if (opts.stopAfter && output.includes('BENCH_STOPPED')) child.kill('SIGINT');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    errorOutput += chunk.toString();
  });
  const deadline = setTimeout(() => child.kill('SIGKILL'), opts.durationSec * 1000 + WRK_GRACE_MS);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(deadline);
  clearInterval(sampler);
  const sampledSec = (last.at - first.at) / 1000;
  const line = output.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  if (!line) throw new Error(`wrk (${name}) exited with ${code} without a result: ${errorOutput || output}`);
  const summary = JSON.parse(line.slice('BENCH_RESULT '.length)) as WrkSummary;
  const threads = summary.threads;
  const statuses: Record<string, number> = {};
  for (const thread of threads) {
    for (const [status, count] of Object.entries(thread.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  }
  const percentOfCore = (from: number | null, to: number | null) =>
    from === null || to === null || sampledSec <= 0 ? null : (100 * (to - from)) / sampledSec;
  return {
    name,
    requests: summary.requests,
    requestsPerSec: summary.requests / (summary.durationUs / 1e6),
    p50: summary.p50Us / 1000,
    p99: summary.p99Us / 1000,
    max: summary.maxUs / 1000,
    errors: summary.connectErrors + summary.readErrors + summary.writeErrors + summary.timeouts,
    non2xx: threads.reduce((sum, thread) => sum + thread.non2xx, 0),
    statuses,
    wrkCpuPercent: percentOfCore(first.wrk, last.wrk) ?? 0,
    serverCpuPercent: percentOfCore(first.server, last.server),
  };
}
