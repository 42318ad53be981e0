/**
 * Welch (nperseg 4096, hop 2048, hann) over a generated float32 .npy: sluice's throughput and
 * peak RSS beside scipy's chunked Welch over a memmap on the same file in the same run (when
 * python3 has scipy; bench/scipy_welch.py computes the same whole-file PSD). Run alone with
 * `tsx bench/welch.ts` or as part of `npm run bench`. BENCH_WELCH_GIB sets the size (1).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, writeFloat32Npy } from './files.ts';

const GIB = 1024 ** 3;
const CHUNK_ROWS = 1 << 20;

export interface WelchMeasurement {
  seconds: number;
  bytes: number;
  segments: number;
  maxRssBytes: number;
}

function lastJsonLine(out: string): WelchMeasurement {
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as WelchMeasurement;
}

/** `workers` undefined: the runner's default (both cores for a file this large). */
export function measureSluiceWelch(file: string, fft = 'float64', workers?: number): WelchMeasurement {
  const extra = workers === undefined ? [] : [String(workers)];
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', 'bench/welch-case.ts', file, String(CHUNK_ROWS), fft, ...extra],
    {
      encoding: 'utf8',
    },
  );
  return lastJsonLine(out);
}

export function hasScipy(): boolean {
  return spawnSync('python3', ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0;
}

export function measureScipyWelch(file: string): WelchMeasurement {
  return lastJsonLine(
    execFileSync('python3', ['bench/scipy_welch.py', file, String(CHUNK_ROWS)], { encoding: 'utf8' }),
  );
}

function row(label: string, m: WelchMeasurement, baseline?: WelchMeasurement): string {
  const gbps = m.bytes / m.seconds / 1e9;
  const ratio = baseline ? `  ${(baseline.seconds / m.seconds).toFixed(2)}× scipy` : '';
  return `  ${label.padEnd(24)} ${gbps.toFixed(3).padStart(6)} GB/s  ${m.seconds.toFixed(2).padStart(7)} s  ${m.segments} segments  peak RSS ${(m.maxRssBytes / 2 ** 20).toFixed(0).padStart(5)} MiB${ratio}`;
}

/** Makes the file, measures both, prints the rows, deletes the file. */
export function benchWelch(gib = Number(process.env.BENCH_WELCH_GIB ?? 1)): void {
  const file = join(BENCH_DIR, 'sluice-bench-welch.npy');
  try {
    console.log(
      `\nwelch (nperseg 4096, hop 2048, hann) over a ${gib} GiB float32 .npy (chunkRows ${CHUNK_ROWS})`,
    );
    writeFloat32Npy(file, Math.round(gib * GIB));
    const scipy = hasScipy() ? measureScipyWelch(file) : undefined;
    if (scipy) console.log(row('scipy memmap chunks', scipy));
    else console.log('  scipy: skipped (python3 -c "import scipy" failed)');
    const sluice = measureSluiceWelch(file);
    console.log(row('sluice welch, 1 thread', measureSluiceWelch(file, 'float64', 1), scipy));
    console.log(row('sluice welch (default)', sluice, scipy));
    console.log(row('sluice welch, fft float32', measureSluiceWelch(file, 'float32'), scipy));
    if (scipy && scipy.segments !== sluice.segments)
      console.log('  SEGMENT COUNTS DIFFER: a bug in one harness');
  } finally {
    rmSync(file, { force: true });
  }
}

if (process.argv[1]?.endsWith('welch.ts')) benchWelch();
