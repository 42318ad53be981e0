/**
 * Writers: 10M rows × 7 columns (6 float32, 1 int32; 280 MB) to each writer — seconds, MB/s
 * of input, peak RSS — beside h5py writing the same datasets, then 30M rows to show peak RSS
 * stays flat. Each case runs in its own process (bench/writers-case.ts). The Parquet engine is
 * parquet-wasm: hyparquet-writer was measured slower (3.7 s with snappy for 10M rows) and
 * cannot write zstd on Node 20 nor fixed-size lists, so it is not a dependency.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './files.ts';

interface Measured {
  seconds: number;
  maxRssBytes: number;
}

const WRITERS: [string, string, Record<string, unknown>?][] = [
  ['parquet', 'w.parquet'],
  ['parquet', 'w-snappy.parquet', { compression: 'snappy' }],
  ['arrow', 'w.arrow'],
  ['hdf5', 'w.h5'],
  ['hdf5', 'w-chunked.h5', { storage: 'chunked' }],
  ['npy', 'w.npy'],
  ['daf', 'w', { columns: ['x', 'y', 'z', 'mc', 'hv', 'tof'] }],
];

function measure(sink: string, rows: number, out: string, extra?: Record<string, unknown>): Measured {
  const args = ['--import', 'tsx', 'bench/writers-case.ts', sink, String(rows), out];
  if (extra) args.push(JSON.stringify(extra));
  const text = execFileSync(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as Measured;
}

function line(label: string, m: Measured, rows: number): string {
  const mb = (rows * 28) / 1e6;
  return `  ${label.padEnd(28)} ${m.seconds.toFixed(2).padStart(6)} s  ${(mb / m.seconds).toFixed(0).padStart(5)} MB/s  peak RSS ${(m.maxRssBytes / 1e6).toFixed(0).padStart(5)} MB`;
}

/** Issue 5's targets for 10M rows, shown beside the lines they apply to. */
function verdict(sink: string, extra: Record<string, unknown> | undefined, m: Measured): string {
  if (sink !== 'parquet' || extra) return '';
  return m.seconds < 2.5 && m.maxRssBytes < 300e6
    ? '  ok (target 2.5 s, 300 MB)'
    : '  OVER a target (2.5 s, 300 MB)';
}

export function benchWriters(): void {
  const rows = 10_000_000;
  console.log(`\nwriters: ${rows / 1e6}M rows × 7 columns (6 float32, 1 int32), batches of 1 Mi rows`);
  try {
    const h5py = spawnSync(
      '/usr/bin/python3',
      ['bench/h5py_write.py', String(rows), join(BENCH_DIR, 'h5py.h5')],
      {
        encoding: 'utf8',
      },
    );
    const h5pyMeasured = h5py.status === 0 ? (JSON.parse(h5py.stdout) as Measured) : undefined;
    if (h5pyMeasured) console.log(line('h5py (same datasets)', h5pyMeasured, rows));
    else console.log('  h5py: skipped (/usr/bin/python3 with h5py not found)');
    for (const [sink, name, extra] of WRITERS) {
      const out = join(BENCH_DIR, name);
      const m = measure(sink, rows, out, extra);
      const ratio =
        sink === 'hdf5' && h5pyMeasured
          ? `  ${(m.seconds / h5pyMeasured.seconds).toFixed(1)}× h5py's time`
          : '';
      console.log(
        `${line(`${sink} ${extra ? JSON.stringify(extra) : ''}`, m, rows)}${ratio}${verdict(sink, extra, m)}`,
      );
    }
    console.log('\n30M rows: peak RSS must not grow with the row count');
    for (const [sink, name] of [
      ['parquet', 'w.parquet'],
      ['arrow', 'w.arrow'],
      ['hdf5', 'w.h5'],
    ]) {
      console.log(line(sink, measure(sink, 30_000_000, join(BENCH_DIR, name)), 30_000_000));
    }
  } finally {
    for (const [, name] of WRITERS) rmSync(join(BENCH_DIR, name), { force: true });
    for (const f of ['w.array', 'w.yaml', 'h5py.h5']) rmSync(join(BENCH_DIR, f), { force: true });
  }
}
