/**
 * Segments of a signal, as the spectral stages cut them: which segments a batch owns (docs/design.md
 * §2), copying one out of a column, the rows before the first full segment, scipy's checks of
 * nperseg/noverlap/nfft, the limits on their size (checked before anything is allocated), and
 * the segment-per-row column that segment emits and detrend, window and fft edit.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
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

/**
 * The longest segment and the largest FFT sluice computes: 2^25 = 33,554,432 points. fft.js
 * keeps its twiddle table in a plain JS array of 2·size numbers; at 2^25 points building it
 * takes ~12 s, and past 2^26 elements V8 stops storing such an array densely (tens of GB and
 * minutes before it fails). A non-power-of-two nfft runs Bluestein on a power of two
 * ≥ 2·nfft − 1, so it may be at most 2^24.
 */
export const MAX_FFT_POINTS = 2 ** 25;

/** The points of the power-of-two fft.js transform behind a real FFT of nfft points. */
export function fftPoints(nfft: number): number {
  const isPow2 = nfft >= 2 && Number.isSafeInteger(nfft) && 2 ** Math.round(Math.log2(nfft)) === nfft;
  return isPow2 ? nfft : 2 ** Math.ceil(Math.log2(Math.max(2, 2 * nfft - 1)));
}

/**
 * What a segment spectrum of nperseg samples and an FFT of nfft points keeps, in bytes (the
 * float64 path, an upper bound for float32): `heap` is fft.js's tables on the V8 heap, `total`
 * adds the typed arrays (FFT buffers, bins, and the head, window and scratch of nperseg each).
 * Measured on Node 20: 2^24 points take 325 MB of heap and 384 MB of buffers.
 */
export function spectrumBytes(nperseg: number, nfft: number): { heap: number; total: number } {
  const points = fftPoints(nfft);
  const heap = 24 * points;
  const fftBuffers = points === nfft ? 24 * points : 64 * points + 48 * nfft;
  return { heap, total: heap + fftBuffers + 16 * nfft + 24 * nperseg };
}

/**
 * scipy's errors for nfft and noverlap, applied to the nperseg actually used, and sluice's
 * limits on nperseg and nfft (MAX_FFT_POINTS). Pure: the sinks run it from `check`.
 */
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
  checkFftLength(nperseg, nfft, stage);
}

/**
 * The segment (nperseg; spectrum-average's chunkSize, named by `segmentName`) and the FFT
 * behind nfft within MAX_FFT_POINTS; PARAMS_INVALID otherwise.
 */
export function checkFftLength(segment: number, nfft: number, stage: string, segmentName = 'nperseg'): void {
  if (segment <= MAX_FFT_POINTS && fftPoints(nfft) <= MAX_FFT_POINTS) return;
  const what = segment > MAX_FFT_POINTS ? `${segmentName} ${segment}` : `nfft ${nfft}`;
  throw new SluiceError(
    'PARAMS_INVALID',
    `${stage}: ${what} is beyond the largest FFT sluice computes (${MAX_FFT_POINTS} points; ` +
      `${MAX_FFT_POINTS / 2} for an nfft that is not a power of two)`,
    {
      hint:
        `Use a shorter ${segmentName} (and nfft). A ${segmentName} longer than the input is shortened ` +
        `to the input's length (as scipy does), but only up to this limit: give ${segmentName} ≤ the input's rows.`,
    },
  );
}

export interface SpectrumMemoryOptions {
  /** Bytes the caller keeps besides the spectrum (spectrum-average's copy of a short signal). */
  readonly extraBytes?: number;
  /** The segment length's param name in messages: nperseg, or chunkSize. */
  readonly segmentName?: string;
}

/**
 * Refuses, before anything is allocated, a segment spectrum whose buffers (spectrumBytes, plus
 * `extraBytes` the caller keeps) would not fit: fft.js's tables must fit in half of what is left
 * of the V8 heap (running out of it aborts the process), and everything in half of the
 * machine's memory.
 */
export function checkSpectrumMemory(
  segment: number,
  nfft: number,
  stage: string,
  { extraBytes = 0, segmentName = 'nperseg' }: SpectrumMemoryOptions = {},
): void {
  checkFftLength(segment, nfft, stage, segmentName);
  const { heap, total } = spectrumBytes(segment, nfft);
  const stats = getHeapStatistics();
  const heapRoom = (stats.heap_size_limit - stats.used_heap_size) / 2;
  const memoryRoom = totalmem() / 2;
  if (heap <= heapRoom && total + extraBytes <= memoryRoom) return;
  const needs = heap > heapRoom ? `${mib(heap)} of JS heap` : `${mib(total + extraBytes)}`;
  const room =
    heap > heapRoom ? `${mib(heapRoom)} (half the heap left)` : `${mib(memoryRoom)} (half the memory)`;
  throw new SluiceError(
    'PARAMS_INVALID',
    `${stage}: ${segmentName} ${segment} with nfft ${nfft} needs about ${needs} for its FFT and ` +
      `segment buffers; at most ${room} is allowed`,
    {
      hint: `Use a shorter ${segmentName} (and nfft), or run on a machine (or with a heap) with more memory.`,
    },
  );
}

function mib(bytes: number): string {
  return `${Math.ceil(bytes / 2 ** 20)} MiB`;
}

/** The segments `batch` owns (docs/design.md §2), copied into a new batch; null when it owns none. */
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

/** A float64 width-n column, as segment emits it, no longer than the largest FFT. */
export function checkSegmentColumn(schema: Schema, name: string, stage: string): void {
  const column = requireColumn(schema, name, stage);
  if (column.dtype !== 'float64') {
    throw new SluiceError('COLUMN_UNKNOWN', `${stage}: column '${name}' is ${column.dtype}, not float64`, {
      hint: 'put a segment step before it',
    });
  }
  if (column.width > MAX_FFT_POINTS) {
    throw new SluiceError(
      'PARAMS_INVALID',
      `${stage}: segments of ${column.width} samples are longer than the largest FFT sluice computes (${MAX_FFT_POINTS})`,
      { hint: 'give segment a shorter length' },
    );
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
