import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every child this harness started, so an interrupted run leaves nothing behind. */
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

export function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    }
  }
  children.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True when something accepts TCP connections on the loopback port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once something accepts TCP connections on the port (or rejects after `timeoutMs`). */
export async function waitForPort(port: number, timeoutMs: number, everyMs = 20): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    if (await portOpen(port)) return;
    if (Date.now() > giveUpAt) throw new Error(`nothing listening on port ${port} after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** One redis-server of the harness's own (ports 6460-6479), with an append-only file that survives kill -9. */
export class OwnRedis {
  readonly port: number;
  readonly url: string;
  private readonly dir: string;
  private child: ChildProcess | undefined;

  constructor(port: number) {
    if (port < 6460 || port > 6479) throw new Error(`redis port ${port} is outside 6460-6479`);
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.dir = mkdtempSync(join(tmpdir(), `fault-redis-${port}-`));
    tempDirs.add(this.dir);
  }

  async start(): Promise<void> {
    if (await portOpen(this.port)) {
      throw new Error(`port ${this.port} is already taken (a redis-server left by an interrupted run?)`);
    }
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--protected-mode',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore' },
    );
    children.add(child);
    child.once('exit', () => children.delete(child));
    this.child = child;
    await waitForPort(this.port, 10_000);
  }

  /** kill -9: the server vanishes, connections are refused until `start()`. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }

  /** SIGSTOP: connections stay open, nothing answers. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
  }
}

export interface GatewayHandle {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) and the time of exit. */
  exited: Promise<{ code: number | null; signal: string | null; at: number }>;
  /** Counts of log lines by level, and by message for error-level lines. */
  counts: Record<string, number>;
  /** The last lines of output (stdout JSON and stderr), for reports. */
  tail: string[];
  /** Lines that match `watchFor` patterns, kept in full. */
  notable: string[];
  /** When (harness clock) each log message was first seen. */
  firstSeen: Record<string, number>;
}

/** Substrings that mark a line worth keeping (errors that mean a lost message or a crash). */
const NOTABLE = /"level":"error"|UND_ERR|MaxRetriesPerRequest|unhandled|ECONNRESET|Error:/;

/**
 * Starts `node main.ts` of the checkout at `root` and resolves with its URL once it logs
 * "listening" (with `PORT=0` the URL is only known then). `waitListening: false` resolves at once
 * (the caller polls a fixed port itself).
 */
export async function spawnGateway(
  root: string,
  env: Record<string, string>,
  opts: { waitListening?: boolean; startTimeoutMs?: number } = {},
): Promise<GatewayHandle> {
  const child = spawn(process.execPath, ['main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, at: Date.now() });
    });
  });
  const handle: GatewayHandle = { url: '', child, exited, counts: {}, tail: [], notable: [], firstSeen: {} };
  const record = (line: string) => {
    if (!line) return;
    handle.tail.push(line);
    if (handle.tail.length > 40) handle.tail.shift();
    if (NOTABLE.test(line) && handle.notable.length < 200) handle.notable.push(line.slice(0, 600));
    const level = /"level":"(\w+)"/.exec(line)?.[1] ?? 'raw';
    const message = /"msg":"([^"]*)"/.exec(line)?.[1];
    if (message !== undefined) handle.firstSeen[message] ??= Date.now();
    handle.counts[level] = (handle.counts[level] ?? 0) + 1;
    if (level === 'error' || level === 'raw') {
      const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 80);
      const code = /"code":"([^"]*)"/.exec(line)?.[1];
      const key = `${level}: ${msg}${code ? ` (${code})` : ''}`;
      handle.counts[key] = (handle.counts[key] ?? 0) + 1;
    }
  };
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => {
    listening = resolve;
  });
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      record(line);
      if (line.includes('"msg":"listening"')) {
        const found = /"url":"([^"]+)"/.exec(line)?.[1];
        if (found) listening(found);
      }
    }
  });
  let errBuffer = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errBuffer += chunk.toString();
    const lines = errBuffer.split('\n');
    errBuffer = lines.pop() ?? '';
    for (const line of lines) record(line);
  });
  if (opts.waitListening === false) return handle;
  const timeoutMs = opts.startTimeoutMs ?? 20_000;
  const outcome = await Promise.race([
    url.then((found) => ({ found })),
    exited.then((exit) => ({ exit })),
    sleep(timeoutMs).then(() => ({ timeout: true })),
  ]);
  if ('found' in outcome) {
    handle.url = outcome.found;
    return handle;
  }
  child.kill('SIGKILL');
  const why = 'exit' in outcome ? `exited with ${outcome.exit.code ?? outcome.exit.signal}` : 'did not log "listening"';
  throw new Error(`gateway in ${root} ${why}:\n${handle.tail.join('\n')}`);
}

/** kill -9 and wait for the exit. */
export async function killHard(gateway: GatewayHandle): Promise<void> {
  if (gateway.child.exitCode !== null || gateway.child.signalCode !== null) return;
  gateway.child.kill('SIGKILL');
  await gateway.exited;
}

/** A gateway start with retries: the tree under test may be mid-edit (a start that fails is retried). */
export async function spawnGatewayRetrying(
  root: string,
  env: Record<string, string>,
  attempts = 3,
): Promise<GatewayHandle> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await spawnGateway(root, env);
    } catch (error) {
      lastError = error;
      await sleep(2000);
    }
  }
  throw lastError;
}
