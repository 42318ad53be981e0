/**
 * A spectrogram reduced to what a picture can show: at most `columns` time pixels × `rows`
 * frequency pixels, each the mean power of the slices and bins it covers, in dB. It is read
 * back, block by block, from the Fortran-order (F, T) .npy the spectrogram sink wrote, so its
 * memory is the picture's, whatever the file's size.
 */
import { open } from 'node:fs/promises';
import { SluiceError } from '../core/errors.ts';

/** What the spectrogram sink returns that the picture needs (its SpectrogramResult). */
export interface SpectrogramResultLike {
  readonly out: string;
  readonly shape: readonly [number, number];
  readonly frequencies: readonly number[];
  readonly times: { readonly first: number; readonly step: number; readonly count: number };
  readonly mode: 'psd' | 'magnitude' | 'complex';
  readonly db: boolean;
}

/** The picture's cells: dB values column by column, row 0 the lowest frequency. */
export interface SpectrogramGrid {
  readonly columns: number;
  readonly rows: number;
  /** values[c · rows + r]; −Infinity where the power is 0. */
  readonly values: Float64Array;
  /** The outer edges of the first and last slice (s, or samples without a sample rate). */
  readonly timeRange: [number, number];
  /** 0 … the last frequency (Nyquist for an even nfft): bins are clipped to it. */
  readonly frequencyRange: [number, number];
}

/** Whether a sink's result is a spectrogram's (its shape, times and mode). */
export function isSpectrogramResult(result: unknown): result is SpectrogramResultLike {
  if (result === null || typeof result !== 'object') return false;
  const r = result as Record<string, unknown>;
  return typeof r.out === 'string' && Array.isArray(r.shape) && typeof r.times === 'object' && 'mode' in r;
}

/** Averages slices of F values into a columns × rows grid. */
export class SpectrogramGridReducer {
  readonly columns: number;
  readonly rows: number;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private readonly rowOf: Int32Array;

  constructor(
    private readonly bins: number,
    private readonly slices: number,
    maxColumns: number,
    maxRows: number,
  ) {
    this.columns = Math.max(1, Math.min(slices, maxColumns));
    this.rows = Math.max(1, Math.min(bins, maxRows));
    this.sums = new Float64Array(this.columns * this.rows);
    this.counts = new Float64Array(this.columns * this.rows);
    this.rowOf = Int32Array.from({ length: bins }, (_, j) => Math.floor((j * this.rows) / bins));
  }

  /** `count` slices of `bins` values each, the first being slice number `first`. */
  add(block: Float64Array, first: number, count: number): void {
    const { bins, rows, rowOf, sums, counts } = this;
    for (let s = 0; s < count; s++) {
      const base = Math.floor(((first + s) * this.columns) / this.slices) * rows;
      const o = s * bins;
      for (let j = 0; j < bins; j++) {
        sums[base + rowOf[j]] += block[o + j];
        counts[base + rowOf[j]] += 1;
      }
    }
  }

  /** The mean of each cell, through `toDb` (identity when the values are dB already). */
  means(toDb: (v: number) => number): Float64Array {
    const out = new Float64Array(this.sums.length);
    for (let k = 0; k < out.length; k++)
      out[k] = this.counts[k] > 0 ? toDb(this.sums[k] / this.counts[k]) : NaN;
    return out;
  }
}

/** Bytes read from the .npy at a time. */
const READ_BYTES = 8 * 1024 * 1024;

/** The grid of a spectrogram result, read from its .npy (float64, Fortran order). */
export async function readSpectrogramGrid(
  result: SpectrogramResultLike,
  maxColumns: number,
  maxRows: number,
): Promise<SpectrogramGrid> {
  const [bins, slices] = result.shape;
  if (result.mode === 'complex' || !/\.npy$/i.test(result.out)) {
    throw new SluiceError('STAGE_FAILED', `plot: cannot draw the spectrogram in ${result.out}`, {
      hint: 'plot draws a spectrogram written to .npy with mode psd or magnitude',
    });
  }
  if (bins === 0 || slices === 0) {
    throw new SluiceError('STAGE_FAILED', 'plot: the spectrogram has no time slices to draw');
  }
  const reducer = new SpectrogramGridReducer(bins, slices, maxColumns, maxRows);
  const file = await open(result.out, 'r');
  try {
    const dataBytes = bins * slices * 8;
    const { size } = await file.stat();
    // The data is the file's tail: F × T float64 after the header (the sink wrote <f8, Fortran order).
    let position = size - dataBytes;
    if (position < 10) {
      throw new SluiceError(
        'STAGE_FAILED',
        `plot: ${result.out} is shorter than its ${bins} × ${slices} values`,
      );
    }
    const perRead = Math.max(1, Math.floor(READ_BYTES / (bins * 8)));
    const block = new Float64Array(perRead * bins);
    const bytes = new Uint8Array(block.buffer);
    for (let first = 0; first < slices; first += perRead) {
      const count = Math.min(perRead, slices - first);
      const length = count * bins * 8;
      const { bytesRead } = await file.read(bytes, 0, length, position);
      if (bytesRead !== length) throw new SluiceError('STAGE_FAILED', `plot: ${result.out} ended early`);
      position += length;
      reducer.add(block, first, count);
    }
  } finally {
    await file.close();
  }
  const factor = result.mode === 'magnitude' ? 20 : 10;
  const values = reducer.means(result.db ? (v) => v : (v) => factor * Math.log10(v));
  return { columns: reducer.columns, rows: reducer.rows, values, ...spectrogramRanges(result) };
}

/** The time and frequency extents of the picture: slices' outer edges, 0 … the last bin. */
export function spectrogramRanges(
  result: Pick<SpectrogramResultLike, 'frequencies' | 'times'>,
): Pick<SpectrogramGrid, 'timeRange' | 'frequencyRange'> {
  const { first, step, count } = result.times;
  const half = (step > 0 ? step : 1) / 2;
  const last = result.frequencies.at(-1) ?? 0.5;
  return {
    timeRange: [first - half, first + (count - 1) * step + half],
    frequencyRange: [result.frequencies[0] ?? 0, last > 0 ? last : 0.5],
  };
}
