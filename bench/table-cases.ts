/**
 * The rows of issue 14's table: for each, the work, the sluice spec a user would write, the
 * baseline a user would pick instead (its command, or why it is skipped), the goal and the
 * repeats. bench/table.ts measures them; the input files are made there.
 */
import { join } from 'node:path';
import { PRESET_DIR } from '../src/atomprobe/reflectron-mesh.ts';
import type { ProcessRun } from './measure-process.ts';
import { pickPython } from './measure-process.ts';
import { BENCH_DIR } from './files.ts';

/** The goal for a row: sluice's time ≤ `ratio` × the baseline's, and its peak RSS. */
export interface Goal {
  readonly ratio: number;
  readonly rssMiB?: number;
}

export interface Baseline {
  /** What a user would pick, as the table names it. */
  readonly label: string;
  /** The command and its arguments; undefined when the tools are missing (`skipped` says which). */
  readonly command?: readonly [string, readonly string[]];
  readonly skipped?: string;
  /**
   * The baseline's time the ratio divides by: its whole process by default, as the issue
   * measured them; DuckDB's COPY alone for the Parquet row (the "the write alone").
   */
  readonly seconds?: (run: ProcessRun) => number;
  /** Run after sluice's run in each repeat (it reads sluice's output); otherwise before. */
  readonly afterSluice?: boolean;
}

export interface TableCase {
  /** The first column of the table. */
  readonly work: string;
  /** The input to warm in the page cache before measuring. */
  readonly input: string;
  /** The sluice spec, written as YAML for `sluice run`. */
  readonly spec: Record<string, unknown>;
  /** The files the run writes (deleted after each run but the last; the largest sets the disk's floor). */
  readonly outputs: readonly string[];
  readonly baseline: Baseline;
  readonly goal: Goal;
  readonly repeats: number;
}

/** This run's files: a directory of its own, so that two runs at once cannot delete each other's. */
export const RUN_DIR = join(BENCH_DIR, `sluice-table-${process.pid}`);

/** The generated inputs. */
export const INPUTS = {
  float32: join(RUN_DIR, '1gib.npy'),
  epos: join(RUN_DIR, '1.2gb.epos'),
  smallEpos: join(RUN_DIR, '500k.epos'),
};
/** BENCH_TABLE_SCALE shrinks every input (a quick check that the rows run; the figures then mean little). */
export const SCALE = Number(process.env.BENCH_TABLE_SCALE ?? 1);
export const FLOAT32_BYTES = Math.round(SCALE * 1024 ** 3);
export const EPOS_BYTES = SCALE * 1.2e9;
export const SMALL_EPOS_IONS = Math.round(SCALE * 500_000);
const PRESET = '4000XHR_Erlangen_56_4833';
/** numpy's and scipy's chunk (rows of the memmap per step), as the bench's other numpy cases. */
const NUMPY_CHUNK_ROWS = String(1 << 20);

const out = (name: string) => join(RUN_DIR, name);

/** BENCH_REPEATS, or `fallback`. */
function repeats(fallback: number): number {
  return process.env.BENCH_REPEATS ? Math.max(1, Number(process.env.BENCH_REPEATS)) : fallback;
}

/** The baseline's command, or the reason it is skipped when no interpreter imports `modules`. */
function python(label: string, modules: string[], args: string[]): Baseline {
  const interpreter = pickPython(modules);
  return interpreter
    ? { label, command: [interpreter, args] }
    : { label, skipped: `no python3 imports ${modules.join(', ')}` };
}

const pyccaptSteps = [{ type: 'to-pyccapt' }, { type: 'reflectron', preset: PRESET }];

/** The six rows, in the order. */
export function tableCases(): TableCase[] {
  const { float32, epos, smallEpos } = INPUTS;
  const parquetOut = out('corrected.parquet');
  const pandasIndex = process.env.BENCH_PANDAS_INDEX === '1' ? '1' : '0';
  return [
    {
      work: '`stats` over 1 GiB float32',
      input: float32,
      spec: { source: { type: 'npy', path: float32 }, sinks: [{ type: 'stats' }] },
      outputs: [],
      baseline: python(
        'numpy, chunked memmap reductions',
        ['numpy'],
        ['bench/numpy_stats.py', float32, NUMPY_CHUNK_ROWS],
      ),
      goal: { ratio: 0.5 },
      repeats: repeats(3),
    },
    {
      work: '`welch` nperseg 4096 over 1 GiB float32, exact float64 default',
      input: float32,
      spec: {
        source: { type: 'npy', path: float32 },
        sinks: [{ type: 'welch', nperseg: 4096, noverlap: 2048, window: 'hann' }],
      },
      outputs: [],
      baseline: python(
        'scipy.signal.welch over memmap chunks',
        ['numpy', 'scipy'],
        ['bench/scipy_welch.py', float32, NUMPY_CHUNK_ROWS],
      ),
      goal: { ratio: 0.5 },
      repeats: repeats(3),
    },
    {
      work: 'EPOS 1.2 GB `m/n` histogram, 1000 bins',
      input: epos,
      spec: {
        source: { type: 'epos', path: epos, columns: ['m/n (Da)'] },
        sinks: [{ type: 'histogram', column: 'm/n (Da)', bins: 1000, range: [0, 200] }],
      },
      outputs: [],
      baseline: python(
        'numpy memmap chunks',
        ['numpy'],
        ['bench/numpy_epos_hist.py', epos, NUMPY_CHUNK_ROWS],
      ),
      goal: { ratio: 0.5 },
      repeats: repeats(2),
    },
    {
      work: 'EPOS 1.2 GB → to-pyccapt → reflectron → pandas table HDF5 (`layout: pandas`)',
      input: epos,
      spec: {
        source: { type: 'epos', path: epos },
        steps: pyccaptSteps,
        sinks: [{ type: 'hdf5', out: out('corrected.h5'), layout: 'pandas' }],
      },
      outputs: [out('corrected.h5')],
      baseline: python(
        "PyCCAPT's streaming correction (numpy + `HDFStore.append`)",
        ['numpy', 'pandas', 'tables', 'matplotlib', 'scipy'],
        [
          'bench/pandas_epos_hdf.py',
          epos,
          out('pandas.h5'),
          PRESET_DIR,
          PRESET,
          NUMPY_CHUNK_ROWS,
          pandasIndex,
        ],
      ),
      goal: { ratio: 0.25, rssMiB: 150 },
      repeats: repeats(2),
    },
    {
      work: 'the same → Parquet (zstd)',
      input: epos,
      spec: {
        source: { type: 'epos', path: epos },
        steps: pyccaptSteps,
        sinks: [{ type: 'parquet', out: parquetOut, compression: 'zstd' }],
      },
      outputs: [parquetOut],
      baseline: {
        label: 'DuckDB `COPY … TO (FORMAT parquet, COMPRESSION zstd)` of the same rows from memory',
        command: [
          process.execPath,
          [
            '--import',
            'tsx',
            'bench/duckdb-copy.ts',
            parquetOut,
            out('duckdb.parquet'),
            String(Math.floor(EPOS_BYTES / 44)),
          ],
        ],
        seconds: (run) => Number(run.report.seconds),
        afterSluice: true,
      },
      goal: { ratio: 1, rssMiB: 250 },
      repeats: repeats(2),
    },
    {
      work: 'CSV, 500k × 11 (EPOS columns)',
      input: smallEpos,
      spec: { source: { type: 'epos', path: smallEpos }, sinks: [{ type: 'csv', out: out('epos.csv') }] },
      outputs: [out('epos.csv')],
      baseline: python(
        'pandas `to_csv`',
        ['numpy', 'pandas'],
        ['bench/pandas_epos_csv.py', smallEpos, out('pandas.csv')],
      ),
      goal: { ratio: 1 },
      repeats: repeats(3),
    },
  ];
}

/** Files the baselines write, deleted after each run. */
export const BASELINE_OUTPUTS = ['pandas.h5', 'duckdb.parquet', 'pandas.csv'].map(out);
