import { z } from 'zod';
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import type { SinkContext, SinkInstance, SinkStage } from '../core/stage.ts';
import { defineStage } from '../core/stage.ts';
import type { AtomicFile } from '../io/atomic-file.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import { formatNpyHeader } from '../formats/npy/header.ts';
import type { DetrendMethod, SegmentGeometry } from '../dsp/spectral.ts';
import {
  frequencies,
  oneSidedFactor,
  ownedSegments,
  readSegment,
  SegmentSpectrum,
  spectralScale,
} from '../dsp/spectral.ts';
import { fftPrecisionParam, loadFloat32Fft } from '../dsp/pffft.ts';
import { makeWindow, toWindowSpec, windowLabel, windowSums } from '../dsp/windows.ts';
import {
  checkSegmentParams,
  checkSignalColumn,
  noverlapField,
  spectralFields,
} from '../adapters/spectral-params.ts';
import type { SliceLayout } from '../adapters/spectrogram-table.ts';
import { SliceTable, sliceSchema, sliceWriterFor, sliceWriterParams } from '../adapters/spectrogram-table.ts';
import { writerForPath } from '../formats/write-table.ts';

const params = z
  .object({
    ...spectralFields,
    noverlap: noverlapField('nperseg // 8, as scipy'),
    window: spectralFields.window
      .default({ name: 'tukey', alpha: 0.25 })
      .describe('A scipy.signal.get_window name, or { name: tukey, alpha: 0.25 } (the default) style.'),
    mode: z
      .enum(['psd', 'magnitude', 'complex'])
      .default('psd')
      .describe(
        'psd: scaled, one-sided doubled power; magnitude: |X|·sqrt(scale); complex: X·sqrt(scale), <c16.',
      ),
    db: z
      .boolean()
      .default(false)
      .describe('Write decibels: 10·log10 for psd, 20·log10 for magnitude (not with complex).'),
    fft: fftPrecisionParam,
    out: z
      .string()
      .min(1)
      .refine((path) => writerForPath(path) !== undefined, {
        message: 'out must end in .npy, .parquet, .arrow, .arrows, .feather, .h5, .hdf5 or .csv',
      })
      .describe(
        '.npy: Sxx as scipy returns it, shape (F, T), frequencies × times, Fortran order (<c16 for complex). ' +
          '.parquet, .arrow/.arrows/.feather, .h5/.hdf5, .csv: one row per time slice through that writer: ' +
          'float64 time (segment centre, s) and a width-F float64 Sxx (re and im for complex), the ' +
          'frequencies as the column axis and (Parquet, Arrow) the spectrogram.frequencies metadata.',
      ),
    writer: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "Params of the table writer out's extension names (parquet compression, hdf5 layout, csv delimiter, …); " +
          'Parquet row groups default to ~32 MiB of values. Not with .npy.',
      ),
  })
  .strict()
  .refine((p) => !(p.db && p.mode === 'complex'), { message: 'db needs mode psd or magnitude' })
  .refine((p) => p.writer === undefined || sliceWriterFor(p.out) !== undefined, {
    message: 'writer params need a table out (.parquet, .arrow, .h5, .csv, …), not .npy',
  })
  .describe(
    "scipy.signal.spectrogram on the whole input, streamed: each batch's time slices are written as they are computed — to a Fortran-order .npy (F × T) whose header's T is written when the stream ends, or as rows (time, Sxx) to a Parquet, Arrow, HDF5 or CSV writer. Times (segment centres / fs) and frequencies are in the result.",
  );

export type SpectrogramParams = z.output<typeof params>;

export interface SpectrogramResult {
  readonly out: string;
  readonly shape: readonly [number, number];
  readonly frequencies: number[];
  /** Segment centres in seconds from the origin: first + i·step, i < count (scipy's `t`). */
  readonly times: { readonly first: number; readonly step: number; readonly count: number };
  readonly mode: SpectrogramParams['mode'];
  readonly db: boolean;
}

export default defineStage({
  name: 'spectrogram',
  kind: 'sink',
  cpuHeavy: true,
  params,
  history: (p) => p.nperseg - 1,
  outputs: (p) => [p.out],
  check: (p, schema) => {
    checkSignalColumn(schema, p.column, 'spectrogram');
    toWindowSpec(p.window);
    checkSegmentParams(p.nperseg, noverlapOf(p, p.nperseg), p.nfft ?? p.nperseg, 'spectrogram');
    const writer = sliceWriterFor(p.out);
    if (writer) {
      const layout = sliceLayout(p, schema.sampleRate, p.nperseg);
      writer.check?.(sliceWriterParams(writer, p.out, p.writer, layout), sliceSchema(schema, layout));
    }
  },
  create: async (p, ctx) => {
    if (p.fft === 'float32') await loadFloat32Fft();
    const writer = sliceWriterFor(p.out);
    const output: SliceOutput = writer
      ? new TableOutput(writer, p, ctx)
      : new NpyOutput(await createAtomicFile(p.out, { overwrite: ctx.overwrite }), p.mode);
    try {
      const sink = new SpectrogramSink(p, ctx.schema, output);
      await sink.start();
      return sink;
    } catch (error) {
      await output.abort();
      throw error;
    }
  },
});

function noverlapOf(p: SpectrogramParams, nperseg: number): number {
  return p.noverlap ?? Math.floor(nperseg / 8);
}

/** The table's view of the slices for segments of `nperseg`. */
function sliceLayout(p: SpectrogramParams, sampleRate: number | undefined, nperseg: number): SliceLayout {
  const nfft = p.nfft ?? nperseg;
  return {
    bins: Math.floor(nfft / 2) + 1,
    nfft,
    complex: p.mode === 'complex',
    frequencies: frequencies(nfft, sampleRate ?? 1),
    sampleRate,
    facts: {
      nperseg,
      noverlap: noverlapOf(p, nperseg),
      nfft,
      window: windowLabel(toWindowSpec(p.window)),
      detrend: p.detrend,
      scaling: p.scaling,
      mode: p.mode,
      db: p.db,
    },
  };
}

/** Turns the last transform of `spectrum` into one time slice of Sxx (F doubles, or 2F for complex). */
export function sliceValues(
  spectrum: SegmentSpectrum,
  mode: SpectrogramParams['mode'],
  db: boolean,
  scale: number,
  out: Float64Array,
): void {
  const { re, im } = spectrum;
  const nfft = spectrum.nfft;
  if (mode === 'complex') {
    const s = Math.sqrt(scale);
    for (let k = 0; k < re.length; k++) {
      out[2 * k] = re[k] * s;
      out[2 * k + 1] = im[k] * s;
    }
    return;
  }
  if (mode === 'magnitude') {
    const s = Math.sqrt(scale);
    for (let k = 0; k < re.length; k++) {
      const v = Math.hypot(re[k] * s, im[k] * s);
      out[k] = db ? 20 * Math.log10(v) : v;
    }
    return;
  }
  for (let k = 0; k < re.length; k++) {
    const v = (re[k] * re[k] + im[k] * im[k]) * scale * oneSidedFactor(k, nfft);
    out[k] = db ? 10 * Math.log10(v) : v;
  }
}

/** Where the slices go: a Fortran-order .npy, or a table writer. */
interface SliceOutput {
  /** (Re)starts the output for slices of `layout` (again, for an input shorter than one segment). */
  start(layout: SliceLayout): Promise<void>;
  /** `count` slices from slice `first`: their times (s) and values (F, or 2F interleaved, each). */
  append(times: Float64Array, block: Float64Array, count: number, first: number): Promise<void>;
  commit(bins: number, slices: number): Promise<void>;
  abort(): Promise<void>;
}

class SpectrogramSink implements SinkInstance<SpectrogramResult> {
  readonly outputs: readonly string[];
  private spectrum: SegmentSpectrum;
  private geometry: SegmentGeometry;
  private scale: number;
  private slices = 0;
  /** The first nperseg − 1 rows, for an input shorter than one segment (scipy then uses its length). */
  private readonly head: Float64Array;
  private headRows = 0;

  constructor(
    private readonly p: SpectrogramParams,
    private readonly schema: Schema,
    private readonly output: SliceOutput,
  ) {
    this.outputs = [p.out];
    this.head = new Float64Array(p.nperseg - 1);
    ({ spectrum: this.spectrum, geometry: this.geometry, scale: this.scale } = this.configure(p.nperseg));
  }

  private configure(nperseg: number): {
    spectrum: SegmentSpectrum;
    geometry: SegmentGeometry;
    scale: number;
  } {
    const { p } = this;
    const noverlap = noverlapOf(p, nperseg);
    const nfft = p.nfft ?? nperseg;
    checkSegmentParams(nperseg, noverlap, nfft, 'spectrogram');
    const window = makeWindow(toWindowSpec(p.window), nperseg);
    const spectrum = new SegmentSpectrum(window, nfft, p.detrend as DetrendMethod, p.fft);
    const scale = spectralScale(p.scaling, this.schema.sampleRate ?? 1, windowSums(window));
    return {
      spectrum,
      geometry: { length: nperseg, hop: nperseg - noverlap, origin: this.schema.origin ?? 0 },
      scale,
    };
  }

  start(): Promise<void> {
    return this.output.start(sliceLayout(this.p, this.schema.sampleRate, this.geometry.length));
  }

  async write(batch: Batch): Promise<void> {
    const { data } = getColumn(batch, this.p.column);
    this.keepHead(batch, data);
    const { first, count } = ownedSegments(batch, this.geometry);
    if (count === 0) return;
    const values = this.p.mode === 'complex' ? 2 * this.spectrum.bins : this.spectrum.bins;
    const block = new Float64Array(count * values); // one write per batch, not per segment
    const times = new Float64Array(count);
    const { origin, hop, length } = this.geometry;
    const fs = this.schema.sampleRate ?? 1;
    for (let i = 0; i < count; i++) {
      this.spectrum.transformAt(data, origin + (first + i) * hop - batch.start);
      sliceValues(
        this.spectrum,
        this.p.mode,
        this.p.db,
        this.scale,
        block.subarray(i * values, (i + 1) * values),
      );
      // scipy: np.arange(nperseg/2, len - nperseg/2 + 1, hop) / fs, term for term.
      times[i] = (length / 2 + (first + i) * hop) / fs;
    }
    await this.output.append(times, block, count, first);
    this.slices += count;
  }

  async finish(): Promise<SpectrogramResult> {
    try {
      if (this.slices === 0 && this.headRows > 0) await this.writeShortInput();
      await this.output.commit(this.spectrum.bins, this.slices);
    } catch (error) {
      await this.output.abort();
      throw error;
    } finally {
      this.spectrum.dispose();
    }
    const fs = this.schema.sampleRate ?? 1;
    const { length, hop } = this.geometry;
    return {
      out: this.p.out,
      shape: [this.spectrum.bins, this.slices],
      frequencies: frequencies(this.spectrum.nfft, fs),
      times: { first: length / 2 / fs, step: hop / fs, count: this.slices },
      mode: this.p.mode,
      db: this.p.db,
    };
  }

  async abort(): Promise<void> {
    this.spectrum.dispose();
    await this.output.abort();
  }

  /** Shorter than one segment: one slice with nperseg = the input's length, as scipy. */
  private async writeShortInput(): Promise<void> {
    this.spectrum.dispose();
    ({ spectrum: this.spectrum, geometry: this.geometry, scale: this.scale } = this.configure(this.headRows));
    await this.start();
    const head = this.head.subarray(0, this.headRows);
    await this.write({
      schema: this.schema,
      columns: { [this.p.column]: { data: head, width: 1 } },
      rows: head.length,
      start: this.geometry.origin,
      history: 0,
    });
  }

  private keepHead(batch: Batch, data: Batch['columns'][string]['data']): void {
    const origin = this.geometry.origin;
    const from = Math.max(batch.start + batch.history, origin + this.headRows);
    const to = Math.min(batch.start + batch.rows, origin + this.head.length);
    if (to <= from || from !== origin + this.headRows) return;
    readSegment(data, from - batch.start, this.head.subarray(this.headRows, this.headRows + (to - from)));
    this.headRows += to - from;
  }
}

/** Sxx as scipy returns it, F × T in Fortran order: each slice is appended as it is computed. */
class NpyOutput implements SliceOutput {
  private position = 0;
  private headerLength = 0;

  constructor(
    private readonly file: AtomicFile,
    private readonly mode: SpectrogramParams['mode'],
  ) {}

  private get descr(): string {
    return this.mode === 'complex' ? '<c16' : '<f8';
  }

  async start(layout: SliceLayout): Promise<void> {
    await this.file.handle.truncate(0);
    const header = formatNpyHeader({ descr: this.descr, fortranOrder: true, shape: [layout.bins, 0] });
    this.headerLength = header.length;
    await this.writeAt(header, 0);
    this.position = header.length;
  }

  async append(_times: Float64Array, block: Float64Array): Promise<void> {
    await this.writeAt(new Uint8Array(block.buffer, block.byteOffset, block.byteLength), this.position);
    this.position += block.byteLength;
  }

  async commit(bins: number, slices: number): Promise<void> {
    const header = formatNpyHeader({ descr: this.descr, fortranOrder: true, shape: [bins, slices] });
    if (header.length !== this.headerLength) {
      throw new SluiceError('IO_WRITE', `${this.file.path}: the .npy header changed length`);
    }
    await this.writeAt(header, 0);
    await this.file.commit();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }

  private async writeAt(bytes: Uint8Array, position: number): Promise<void> {
    for (let done = 0; done < bytes.length;) {
      const { bytesWritten } = await this.file.handle.write(
        bytes,
        done,
        bytes.length - done,
        position + done,
      );
      done += bytesWritten;
    }
  }
}

/** One row per slice through a table writer (slice-table.ts). */
class TableOutput implements SliceOutput {
  private table: SliceTable | undefined;

  constructor(
    private readonly stage: SinkStage,
    private readonly p: SpectrogramParams,
    private readonly ctx: SinkContext,
  ) {}

  async start(layout: SliceLayout): Promise<void> {
    // A restart (short input) changes F: drop the first writer's temporary file, open anew.
    await this.abort();
    this.table = await SliceTable.open(this.stage, this.p.out, this.p.writer, layout, this.ctx);
  }

  async append(times: Float64Array, block: Float64Array, count: number, first: number): Promise<void> {
    await this.table?.write(times, block, count, first);
  }

  async commit(): Promise<void> {
    await this.table?.finish();
  }

  async abort(): Promise<void> {
    const table = this.table;
    this.table = undefined;
    await table?.abort();
  }
}
