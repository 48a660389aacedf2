import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A server that has not said "listening" by then is killed and the benchmark goes on without it. */
const START_DEADLINE_MS = 60_000;
/** SIGTERM first; SIGKILL when a server has not exited by then. */
const STOP_DEADLINE_MS = 15_000;

export interface Server {
  url: string;
  pid: number;
  /** The server's "listening" log line (the gateway's says which store it uses). */
  listening: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Every child the benchmark started and has not seen exit: killed when the benchmark's process exits. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Tracks a child so that it never outlives the benchmark (even when it stops on an error). */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** `taskset -c <core>` before a command when a core is given and taskset is installed. */
export function pinnedTo(core: number | null): string[] {
  return core !== null && existsSync('/usr/bin/taskset') ? ['taskset', '-c', String(core)] : [];
}

/**
 * The gateway's V8 flags, as the Dockerfile and `npm start` run it: a young generation of at most
 * 16 MiB per semi-space (under load V8 grew it to ~130 MiB and kept the pages; RSS 428 → 342 MiB),
 * and an old generation capped at 1.5 GiB: with a cap under 2 GiB V8 collects at ~70 MiB instead of
 * letting it reach ~200 MiB and pooling the freed pages (RSS ~305 → ~206 MiB, ~10 % more CPU per message).
 */
const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=16', '--max-old-space-size=1536'];

/**
 * Starts a server script, pinned to one core when `core` is a number (taskset, when present), and
 * waits (START_DEADLINE_MS at most) for its "listening" line.
 */
export async function startServer(
  script: string,
  env: Record<string, string>,
  core: number | null = 1,
): Promise<Server> {
  const flags = script === 'main.ts' ? GATEWAY_NODE_FLAGS : [];
  const [command, ...args] = [...pinnedTo(core), process.execPath, ...flags, script];
  const child = track(
    spawn(command!, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    await exited;
    clearTimeout(timer);
  };
  try {
    const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
      let buffer = '';
      const timer = setTimeout(
        () => reject(new Error(`${script} did not start in ${START_DEADLINE_MS} ms`)),
        START_DEADLINE_MS,
      );
      child.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (const line of buffer.split('\n')) {
          if (!line.includes('"listening"')) continue;
          clearTimeout(timer);
          resolve(JSON.parse(line) as Record<string, unknown>);
        }
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code}`));
      });
    });
    return { url: String(listening.url), pid: child.pid!, listening, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resident memory of a process in MiB (Linux /proc). */
export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on every Linux build in use). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, all threads) a process has used so far, in seconds; null once it is gone. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The fields after "(comm)": state is field 3, utime 14 and stime 15 (1-based, man 5 proc).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
