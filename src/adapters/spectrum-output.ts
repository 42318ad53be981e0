/**
 * Writing spectral results by their file extension. A spectrum (welch, psd, spectrum-average):
 * `.json` the result object; `.npy` a 2 × F float64 array (row 0 frequencies, row 1 the
 * values, as `np.vstack([f, Pxx])`); `.parquet`, `.arrow`, `.h5`, `.csv` a table of F rows
 * through the shared table writers (result-file.ts). A spectrogram's time slices, as they are
 * computed: a Fortran-order `.npy` (F × T) whose T is written at the end, or rows of a table
 * writer (spectrogram-table.ts).
 */
import { z } from 'zod';
import type { SinkContext } from '../core/stage.ts';
import { SluiceError } from '../core/errors.ts';
import type { SpectrogramConfig } from '../dsp/spectrogram-slices.ts';
import { spectrogramNoverlap } from '../dsp/spectrogram-slices.ts';
import { frequencies } from '../dsp/spectral-scaling.ts';
import { toWindowSpec, windowLabel } from '../dsp/windows.ts';
import type { AtomicFile } from '../io/atomic-file.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import { formatNpyHeader } from '../formats/npy/header.ts';
import { writerForPath } from '../formats/write-table.ts';
import { formatJson } from './accumulator-sink.ts';
import type { ResultFileOptions } from './result-file.ts';
import { TABLE_EXTENSIONS } from './result-file.ts';
import type { SliceLayout, SliceWriter } from './spectrogram-table.ts';
import { SliceTable, sliceWriterFor } from './spectrogram-table.ts';

export const SPECTRUM_EXTENSIONS = ['.json', ...TABLE_EXTENSIONS] as const;

/** An `out` param for a spectrum: a path ending in one of SPECTRUM_EXTENSIONS. */
export function spectrumOutParam(description: string) {
  return z
    .string()
    .min(1)
    .refine((path) => SPECTRUM_EXTENSIONS.some((ext) => path.toLowerCase().endsWith(ext)), {
      message: `out must end in ${SPECTRUM_EXTENSIONS.join(', ')}`,
    })
    .optional()
    .describe(description);
}

/** The `out` param of the PSD sinks. */
export const psdOutParam = spectrumOutParam(
  'File to write: .npy (2 × F float64: frequencies, PSD), .json ({ frequencies, psd, segments, scaling, average, … }), ' +
    'or a table of columns frequency, psd: .parquet, .arrow/.feather/.arrows, .h5/.hdf5, .csv. When absent the result is only returned.',
);

/**
 * How a spectrum result goes to `path`: `.npy` and JSON by the bytes below, table extensions
 * as the columns `frequency` (Hz) and `valueColumn`, with the sampleRate and units in the
 * table's metadata (Parquet and Arrow field metadata, HDF5 attributes). Spread into
 * openResultFile's or createAccumulatorSink's options.
 */
export function spectrumOutput<R extends { readonly frequencies: readonly number[] }>(
  path: string,
  values: (result: R) => readonly number[],
  valueColumn: string,
  input: SpectrumInput = {},
): Pick<ResultFileOptions<R>, 'encode' | 'table' | 'encoded'> {
  return {
    encoded: ['.npy'],
    encode: (result) =>
      path.toLowerCase().endsWith('.npy')
        ? formatRowsNpy([result.frequencies, values(result)])
        : formatJson(result),
    table: (result) => {
      const sampleRate = input.sampleRate ?? numberIn(result, 'sampleRate');
      return {
        columns: {
          frequency: Float64Array.from(result.frequencies),
          [valueColumn]: Float64Array.from(values(result)),
        },
        ...(sampleRate === undefined ? {} : { sampleRate }),
        units: { frequency: 'Hz', ...valueUnit(result, valueColumn, input.unit) },
      };
    },
  };
}

/** What the table's metadata says of the signal a spectrum is of (its schema's facts). */
export interface SpectrumInput {
  /** Samples per second; else the result's own `sampleRate`, when it has one. */
  readonly sampleRate?: number;
  /** The unit of the signal's values (V, nm, ...). */
  readonly unit?: string;
}

function numberIn(result: object, key: string): number | undefined {
  const value = (result as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : undefined;
}

/** The spectrum column's unit: dB, or the signal's unit squared (per Hz for a density). */
function valueUnit(result: object, column: string, unit: string | undefined): Record<string, string> {
  if (column.endsWith('_db')) return { [column]: 'dB' };
  if (unit === undefined) return {};
  const density = (result as { scaling?: unknown }).scaling !== 'spectrum';
  return { [column]: density ? `${unit}^2/Hz` : `${unit}^2` };
}

/** Equal-length rows as a 2-D float64 .npy file (C order). */
export function formatRowsNpy(rows: readonly (readonly number[])[]): Uint8Array {
  const cols = rows[0]?.length ?? 0;
  const header = formatNpyHeader({ descr: '<f8', fortranOrder: false, shape: [rows.length, cols] });
  const data = new Float64Array(rows.length * cols);
  rows.forEach((row, i) => data.set(row, i * cols));
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(new Uint8Array(data.buffer), header.length); // little-endian hosts only, as every writer of sluice
  return out;
}

/** The spectrogram's `out`: a .npy or any table writer's extension. */
export const spectrogramOutParam = z
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
  );

/** The spectrogram's `writer`: params of the table writer its `out` names. */
export const spectrogramWriterParam = z
  .record(z.string(), z.unknown())
  .optional()
  .describe(
    "Params of the table writer out's extension names (parquet compression, hdf5 layout, csv delimiter, …); " +
      'Parquet row groups default to ~32 MiB of values. Not with .npy.',
  );

/** The table's view of the slices for segments of `nperseg`. */
export function spectrogramLayout(
  p: Omit<SpectrogramConfig, 'column' | 'fft'>,
  sampleRate: number | undefined,
  nperseg: number,
): SliceLayout {
  const nfft = p.nfft ?? nperseg;
  return {
    bins: Math.floor(nfft / 2) + 1,
    nfft,
    complex: p.mode === 'complex',
    frequencies: frequencies(nfft, sampleRate ?? 1),
    sampleRate,
    facts: {
      nperseg,
      noverlap: spectrogramNoverlap(p, nperseg),
      nfft,
      window: windowLabel(toWindowSpec(p.window)),
      detrend: p.detrend,
      scaling: p.scaling,
      mode: p.mode,
      db: p.db,
    },
  };
}

/** Where the spectrogram's slices go: a Fortran-order .npy, or a table writer. */
export interface SliceOutput {
  /** (Re)starts the output for slices of `layout` (again, for an input shorter than one segment). */
  start(layout: SliceLayout): Promise<void>;
  /** `count` slices from slice `first`: their times (s) and values (F, or 2F interleaved, each). */
  append(times: Float64Array, block: Float64Array, count: number, first: number): Promise<void>;
  commit(bins: number, slices: number): Promise<void>;
  abort(): Promise<void>;
}

/**
 * The output `out`'s extension names, given the spectrogram's `writer:` params; a .npy's file
 * is opened here (a temporary until commit), a table's on start.
 */
export async function openSliceOutput(
  out: string,
  writerParams: Readonly<Record<string, unknown>> | undefined,
  complex: boolean,
  ctx: SinkContext,
): Promise<SliceOutput> {
  const writer = sliceWriterFor(out);
  if (writer) return new TableSliceOutput(writer, out, writerParams, ctx);
  return new NpySliceOutput(await createAtomicFile(out, { overwrite: ctx.overwrite }), complex);
}

/** Sxx as scipy returns it, F × T in Fortran order: each slice is appended as it is computed. */
class NpySliceOutput implements SliceOutput {
  private position = 0;
  private headerLength = 0;

  constructor(
    private readonly file: AtomicFile,
    private readonly complex: boolean,
  ) {}

  private get descr(): string {
    return this.complex ? '<c16' : '<f8';
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

/** One row per slice through a table writer (spectrogram-table.ts). */
class TableSliceOutput implements SliceOutput {
  private table: SliceTable | undefined;

  constructor(
    private readonly writer: SliceWriter,
    private readonly out: string,
    private readonly params: Readonly<Record<string, unknown>> | undefined,
    private readonly ctx: SinkContext,
  ) {}

  async start(layout: SliceLayout): Promise<void> {
    // A restart (short input) changes F: drop the first writer's temporary file, open anew.
    await this.abort();
    this.table = await SliceTable.open(this.writer, this.out, this.params, layout, this.ctx);
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
