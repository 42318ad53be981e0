/**
 * Segments of a signal, as the spectral stages cut them: which segments a batch owns (DESIGN.md
 * §2), copying one out of a column, the rows before the first full segment, scipy's checks of
 * nperseg/noverlap/nfft, and the segment-per-row column that segment emits and detrend, window
 * and fft edit.
 */
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { TypedArray } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import type { DetrendMethod } from './detrend.ts';
import type { Scaling } from './spectral-scaling.ts';
import type { WindowParam } from './windows.ts';

/** The params every segmenting spectral sink takes, as scipy.signal names them. */
export interface SegmentSpectrumConfig {
  readonly column: string;
  readonly nperseg: number;
  /** Default depends on the sink: nperseg // 2 for welch, nperseg // 8 for spectrogram. */
  readonly noverlap?: number;
  /** Default nperseg. */
  readonly nfft?: number;
  readonly detrend: DetrendMethod;
  readonly scaling: Scaling;
  readonly window: WindowParam;
}

export interface SegmentGeometry {
  /** Samples per segment (scipy's nperseg). */
  readonly length: number;
  /** Samples between segment starts (nperseg − noverlap). */
  readonly hop: number;
  /** Global row of segment 0's first sample (schema.origin ?? 0). */
  readonly origin: number;
}

/**
 * The segments whose last row is a new row of `batch`: k in [first, first + count). Segment k
 * covers global rows [origin + k·hop, origin + k·hop + length). A segment that reaches before
 * the batch's first row means the planner gave too little look-back: a bug, reported loudly.
 */
export function ownedSegments(
  batch: Pick<Batch, 'start' | 'rows' | 'history'>,
  g: SegmentGeometry,
): { first: number; count: number } {
  const newStart = batch.start + batch.history;
  const end = batch.start + batch.rows;
  const first = Math.max(0, Math.ceil((newStart - (g.length - 1) - g.origin) / g.hop));
  const last = Math.floor((end - g.length - g.origin) / g.hop);
  const count = Math.max(0, last - first + 1);
  if (count > 0 && g.origin + first * g.hop < batch.start) {
    throw new SluiceError('DATA_INVALID', `segment ${first} starts before its batch (too little look-back)`, {
      hint: `a segmenting stage needs ${g.length - 1} rows of history; check the stage's history()`,
    });
  }
  return { first, count };
}

/** Copies `out.length` values of a width-1 column from row `offset` into `out`, as float64. */
export function readSegment(data: TypedArray, offset: number, out: Float64Array): void {
  const n = out.length;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) out[i] = Number(data[offset + i]);
  } else if (data instanceof Float64Array) {
    out.set(data.subarray(offset, offset + n));
  } else {
    for (let i = 0; i < n; i++) out[i] = data[offset + i];
  }
}

/**
 * Copies the new rows of `batch` in [origin, origin + head.length) into `head` after the
 * `kept` rows it holds, and returns how many it holds now: all of an input shorter than one
 * segment, which scipy analyses with nperseg = its length.
 */
export function keepHead(
  batch: Batch,
  data: TypedArray,
  origin: number,
  head: Float64Array,
  kept: number,
): number {
  const from = Math.max(batch.start + batch.history, origin + kept);
  const to = Math.min(batch.start + batch.rows, origin + head.length);
  if (to <= from || from !== origin + kept) return kept;
  readSegment(data, from - batch.start, head.subarray(kept, kept + (to - from)));
  return kept + (to - from);
}

/** scipy's errors for nfft and noverlap, applied to the nperseg actually used. */
export function checkSegmentParams(nperseg: number, noverlap: number, nfft: number, stage: string): void {
  if (nfft < nperseg) {
    throw new SluiceError('PARAMS_INVALID', `${stage}: nfft ${nfft} is less than nperseg ${nperseg}`, {
      hint: 'nfft must be greater than or equal to nperseg (as in scipy)',
    });
  }
  if (noverlap >= nperseg) {
    throw new SluiceError(
      'PARAMS_INVALID',
      `${stage}: noverlap ${noverlap} is not less than nperseg ${nperseg}`,
      {
        hint: 'noverlap must be less than nperseg (as in scipy)',
      },
    );
  }
}

/** The segments `batch` owns (DESIGN.md §2), copied into a new batch; null when it owns none. */
export function cutSegments(batch: Batch, column: string, g: SegmentGeometry, schema: Schema): Batch | null {
  const { first, count } = ownedSegments(batch, g);
  if (count === 0) return null;
  const { data } = getColumn(batch, column);
  const segments = new Float64Array(count * g.length);
  const t0 = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const startRow = g.origin + (first + i) * g.hop;
    readSegment(data, startRow - batch.start, segments.subarray(i * g.length, (i + 1) * g.length));
    t0[i] = startRow;
  }
  return {
    schema,
    columns: { segment: { data: segments, width: g.length }, t0: { data: t0, width: 1 } },
    rows: count,
    start: first,
    history: 0,
  };
}

/** A float64 width-n column, as segment emits it. */
export function checkSegmentColumn(schema: Schema, name: string, stage: string): void {
  const column = requireColumn(schema, name, stage);
  if (column.dtype !== 'float64') {
    throw new SluiceError('COLUMN_UNKNOWN', `${stage}: column '${name}' is ${column.dtype}, not float64`, {
      hint: 'put a segment step before it',
    });
  }
}

/**
 * A batch whose `column` is a copy of the input's with `edit` applied to each row in place;
 * other columns are shared. Rows are edited in the copy, so the input batch stays immutable.
 */
export function mapSegmentRows(batch: Batch, column: string, edit: (row: Float64Array) => void): Batch {
  const { data, width } = getColumn(batch, column);
  const copy = Float64Array.from(data as Float64Array);
  for (let r = 0; r < batch.rows; r++) edit(copy.subarray(r * width, (r + 1) * width));
  return { ...batch, columns: { ...batch.columns, [column]: { data: copy, width } } };
}
