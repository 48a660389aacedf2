import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `promise`, or an error naming `what` when it has not settled within `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A forked child script of the subscribers bench, with its messages as a queue. */
export class Child<To, From extends { type: string }> {
  readonly #child: ChildProcess;
  readonly #queue: From[] = [];
  #waiting: ((message: From) => void)[] = [];
  constructor(script: URL, env: Record<string, string>, execArgv: string[] = []) {
    this.#child = fork(fileURLToPath(script), [], {
      execArgv,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (message: From) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(message);
      else this.#queue.push(message);
    });
  }
  send(message: To) {
    this.#child.send(message as object);
  }
  next(): Promise<From> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  /** The next message of that type (others are dropped), within `ms`. */
  async expect<T extends From['type']>(type: T, ms: number): Promise<Extract<From, { type: T }>> {
    const deadline = performance.now() + ms;
    for (;;) {
      const message = await withDeadline(this.next(), Math.max(1, deadline - performance.now()), `waiting for ${type}`);
      if (message.type === type) return message as Extract<From, { type: T }>;
      if (message.type === 'error') throw new Error(JSON.stringify(message));
    }
  }
  async stop(message: To) {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.send(message);
    await withDeadline(exited, 15_000, 'child stop').catch(() => this.#child.kill('SIGKILL'));
  }
}
