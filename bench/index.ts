/**
 * `npm run bench`: throughput and peak RSS of the `stats` pipeline with each file-access
 * backend, beside numpy's chunked memmap reductions on the same file in the same run (when
 * python3 has numpy), and peak RSS over a 6 GiB sparse file; then Welch, the writers, the
 * atom-probe cases, issue 14's table (bench/table.ts), and the cluster.
 * `npm run bench -- table` (or BENCH_ONLY=table) runs only that table (`-- table 4 5`: rows 4
 * and 5). Files are made and deleted here. Figures are machine-dependent: read the ratios,
 * not the absolute numbers.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, writeFloat32Npy, writeSparseNpy } from './files.ts';
import { benchWriters } from './writers.ts';
import { benchWelch } from './welch.ts';
import { benchEpos } from './epos.ts';
import { benchTable } from './table.ts';

const GIB = 1024 ** 3;
const CHUNK_ROWS = 1 << 20;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/** Issue #2's ceiling for peak RSS over a 6 GiB file. */
const RSS_LIMIT_BYTES = 250e6;

interface Measurement {
  seconds: number;
  bytes: number;
  maxRssBytes: number;
}

function measureSluice(file: string, io: string): Measurement {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/stats-case.ts', file, io, String(CHUNK_ROWS)],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Measurement;
}

function hasNumpy(): boolean {
  return spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

function measureNumpy(file: string): Measurement {
  const out = execFileSync('python3', ['bench/numpy_stats.py', file, String(CHUNK_ROWS)], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim()) as Measurement;
}

/** Best of REPEATS by time (least disturbed by the machine), with the largest peak RSS seen. */
function best(measure: () => Measurement): Measurement {
  const runs = Array.from({ length: REPEATS }, measure);
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { ...fastest, maxRssBytes: Math.max(...runs.map((r) => r.maxRssBytes)) };
}

async function warmPageCache(file: string): Promise<void> {
  for await (const _chunk of createReadStream(file, { highWaterMark: 1 << 24 })) {
    // reading is the point: later runs compare CPU work, not the disk
  }
}

/** Empties the page cache so the next run reads from disk; false where that is not allowed. */
function dropPageCache(): boolean {
  try {
    spawnSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

function coldRuns(dense: string, numpy: boolean): void {
  if (!dropPageCache()) {
    console.log(
      '\n(cold-cache runs skipped: /proc/sys/vm/drop_caches is not writable; run as root to see them)',
    );
    return;
  }
  console.log('\nthe same, page cache dropped before each run (reads from disk)');
  const baseline = numpy && dropPageCache() ? measureNumpy(dense) : undefined;
  if (baseline) console.log(row('numpy memmap chunks', baseline));
  for (const io of ['read', 'mmap']) {
    dropPageCache();
    console.log(row(`sluice io=${io}`, measureSluice(dense, io), baseline));
  }
}

function row(label: string, m: Measurement, baseline?: Measurement): string {
  const gbps = m.bytes / m.seconds / 1e9;
  const ratio = baseline ? `  ${(baseline.seconds / m.seconds).toFixed(2)}× numpy` : '';
  return `  ${label.padEnd(22)} ${gbps.toFixed(2).padStart(6)} GB/s  ${m.seconds.toFixed(3).padStart(7)} s  peak RSS ${(m.maxRssBytes / 2 ** 20).toFixed(0).padStart(5)} MiB${ratio}`;
}

async function main(): Promise<void> {
  const dense = join(BENCH_DIR, 'sluice-bench-1gib.npy');
  const sparse = join(BENCH_DIR, 'sluice-bench-6gib-sparse.npy');
  try {
    console.log(
      `stats over a 1 GiB float32 .npy (chunkRows ${CHUNK_ROWS}, best of ${REPEATS}, page cache warm)`,
    );
    writeFloat32Npy(dense, GIB);
    await warmPageCache(dense);
    const numpy = hasNumpy() ? best(() => measureNumpy(dense)) : undefined;
    if (numpy) console.log(row('numpy memmap chunks', numpy));
    else console.log('  numpy: skipped (python3 -c "import numpy" failed)');
    for (const io of ['read', 'mmap', 'auto'])
      console.log(
        row(
          `sluice io=${io}`,
          best(() => measureSluice(dense, io)),
          numpy,
        ),
      );
    coldRuns(dense, numpy !== undefined);
    console.log('\nstats over a 6 GiB sparse float32 .npy (peak RSS must stay under 250 MB)');
    writeSparseNpy(sparse, 6 * GIB);
    for (const io of ['read', 'mmap']) {
      const measured = measureSluice(sparse, io);
      const verdict = measured.maxRssBytes < RSS_LIMIT_BYTES ? 'ok' : 'OVER THE 250 MB LIMIT';
      console.log(`${row(`sluice io=${io}`, measured)}  ${verdict}`);
    }
    rmSync(dense, { force: true });
    benchWelch();
    benchWriters();
    await benchEpos();
    await benchTable();
    await (await import('./cluster.ts')).benchCluster();
  } finally {
    rmSync(dense, { force: true });
    rmSync(sparse, { force: true });
  }
}

const args = process.argv.slice(2);
if (args.includes('table') || process.env.BENCH_ONLY === 'table') {
  // `npm run bench -- table 4 5`: the numbers pick rows of the table.
  await benchTable(args.filter((a) => /^\d+$/.test(a)).map(Number));
} else await main();
