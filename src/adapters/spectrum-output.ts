/**
 * Writing a spectrum by its file extension, for welch, psd and spectrum-average: `.json` the
 * result object; `.npy` a 2 × F float64 array (row 0 frequencies, row 1 the values, as
 * `np.vstack([f, Pxx])`); `.parquet`, `.arrow`, `.h5`, `.csv` a table of F rows through the
 * shared table writers (result-file.ts).
 */
import { z } from 'zod';
import { formatNpyHeader } from '../formats/npy/header.ts';
import { formatJson } from './accumulator-sink.ts';
import type { ResultFileOptions } from './result-file.ts';
import { TABLE_EXTENSIONS } from './result-file.ts';

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
 * as the columns `frequency` and `valueColumn`. Spread into openResultFile's or
 * createAccumulatorSink's options.
 */
export function spectrumOutput<R extends { readonly frequencies: readonly number[] }>(
  path: string,
  values: (result: R) => readonly number[],
  valueColumn: string,
): Pick<ResultFileOptions<R>, 'encode' | 'table' | 'encoded'> {
  return {
    encoded: ['.npy'],
    encode: (result) =>
      path.toLowerCase().endsWith('.npy')
        ? formatRowsNpy([result.frequencies, values(result)])
        : formatJson(result),
    table: (result) => ({
      columns: {
        frequency: Float64Array.from(result.frequencies),
        [valueColumn]: Float64Array.from(values(result)),
      },
    }),
  };
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
