/**
 * Writing a PSD by its file extension: `.npy` a 2 × F float64 array (row 0 frequencies, row 1
 * the PSD, as `np.vstack([f, Pxx])`), `.json` the result object, `.csv` `frequency,psd` lines
 * with every digit a double needs to read back exactly.
 */
import { z } from 'zod';
import { SluiceError } from '../../../core/errors.ts';
import type { AtomicFile } from '../../../io/atomic-file.ts';
import { formatNpyHeader } from '../../../io/npy-header.ts';
import { formatJson } from '../accumulator-sink.ts';
import type { PsdResult } from './psd-accumulator.ts';

export const PSD_EXTENSIONS = ['.npy', '.json', '.csv'] as const;

/** The `out` param of the PSD sinks: a path ending in .npy, .json or .csv. */
export const psdOutParam = z
  .string()
  .min(1)
  .refine((path) => PSD_EXTENSIONS.some((ext) => path.toLowerCase().endsWith(ext)), {
    message: 'out must end in .npy, .json or .csv',
  })
  .optional()
  .describe(
    'File to write: .npy (2 × F float64: frequencies, PSD), .json ({ frequencies, psd, segments, scaling, average, … }) or .csv (frequency,psd). When absent the result is only returned.',
  );

export function formatPsd(path: string, result: PsdResult): Uint8Array | string {
  const lower = path.toLowerCase();
  if (lower.endsWith('.json')) return formatJson(result);
  if (lower.endsWith('.csv')) {
    const lines = ['frequency,psd'];
    for (let k = 0; k < result.psd.length; k++) lines.push(`${result.frequencies[k]},${result.psd[k]}`);
    return `${lines.join('\n')}\n`;
  }
  if (lower.endsWith('.npy')) {
    const bins = result.psd.length;
    const header = formatNpyHeader({ descr: '<f8', fortranOrder: false, shape: [2, bins] });
    const data = new Float64Array(2 * bins);
    data.set(result.frequencies, 0);
    data.set(result.psd, bins);
    const out = new Uint8Array(header.length + data.byteLength);
    out.set(header, 0);
    out.set(new Uint8Array(data.buffer), header.length);
    return out;
  }
  throw new SluiceError('PARAMS_INVALID', `${path}: unknown PSD output type`, {
    hint: `end the name in ${PSD_EXTENSIONS.join(', ')}`,
  });
}

/** Writes and commits `result` to an opened atomic file; removes it on failure. */
export async function writePsd(file: AtomicFile, result: PsdResult): Promise<void> {
  try {
    await file.write(formatPsd(file.path, result));
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
}
