import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { refuseDevelopersDatabase, testClusterNodes } from './redis.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  logs: string[];
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves once a log line has this `msg` (already logged or later). */
  waitForLog(msg: string): Promise<void>;
}

/**
 * Starts `node main.ts` as its own process (PORT=0) and resolves once it logs "listening". Its env is
 * only PATH, PORT, HOST, LOG_LEVEL and `env`: nothing is inherited, REDIS_URL included (pass the test
 * one, `REDIS_URL` of ./redis.ts); the developer's own Redis database is refused. REDIS_CLUSTER_NODES
 * is let through only when it is the cluster tier's own (test/cluster/global-setup.ts checked it).
 */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  if (env.REDIS_URL) refuseDevelopersDatabase(env.REDIS_URL);
  const tierCluster = testClusterNodes().length > 0 ? process.env.REDIS_CLUSTER_NODES : undefined;
  if (env.REDIS_CLUSTER_NODES && env.REDIS_CLUSTER_NODES !== tierCluster) {
    throw new Error(
      `Refusing REDIS_CLUSTER_NODES=${env.REDIS_CLUSTER_NODES}: not the cluster tier's (scripts/redis-cluster/test.sh)`,
    );
  }
  const child = spawn(process.execPath, ['main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const logWaiters: { msg: string; resolve: () => void }[] = [];
  const logged = (msg: string) => logs.some((line) => line.includes(`"msg":${JSON.stringify(msg)}`));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${logs.join('\n')}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        logs.push(line);
        for (const waiter of logWaiters.filter((w) => logged(w.msg))) {
          logWaiters.splice(logWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
        try {
          const record = JSON.parse(line) as { msg?: string; url?: string };
          if (record.msg === 'listening' && record.url) {
            clearTimeout(timer);
            resolve(record.url);
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code}:\n${logs.join('\n')}`));
    });
  });
  const waitForLog = (msg: string) =>
    logged(msg) ? Promise.resolve() : new Promise<void>((resolve) => logWaiters.push({ msg, resolve }));
  return { url, child, logs, exited, waitForLog };
}
