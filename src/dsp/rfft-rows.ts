/**
 * numpy.fft.rfft of every row of a segment column, as the fft transform emits it: complex bins
 * (columns re, im) or one width-bins column `spectrum` of power, magnitude or dB.
 */
import type { Batch } from '../core/batch.ts';
import { getColumn } from '../core/batch.ts';
import type { Schema } from '../core/schema.ts';
import type { RealTransform } from './real-fft.ts';

export type FftOutput = 'complex' | 'power' | 'magnitude' | 'db';

/** The spectra of every row; scratch arrays come from `fft`, outputs are new per batch. */
export function rfftRows(
  batch: Batch,
  p: { readonly column: string; readonly output: FftOutput },
  fft: RealTransform,
  schema: Schema,
): Batch {
  const { data, width } = getColumn(batch, p.column);
  const bins = fft.bins;
  const re = new Float64Array(batch.rows * bins);
  const im = new Float64Array(batch.rows * bins);
  for (let r = 0; r < batch.rows; r++) {
    const rowRe = re.subarray(r * bins, (r + 1) * bins);
    const rowIm = im.subarray(r * bins, (r + 1) * bins);
    fft.transform((data as Float64Array).subarray(r * width, (r + 1) * width), rowRe, rowIm);
  }
  const { [p.column]: _segments, ...rest } = batch.columns;
  if (p.output === 'complex') {
    return {
      ...batch,
      schema,
      columns: { re: { data: re, width: bins }, im: { data: im, width: bins }, ...rest },
    };
  }
  // Reuse `re` for the result: each value is read before it is overwritten.
  for (let i = 0; i < re.length; i++) {
    const power = re[i] * re[i] + im[i] * im[i];
    re[i] =
      p.output === 'power' ? power : p.output === 'magnitude' ? Math.sqrt(power) : 10 * Math.log10(power);
  }
  return { ...batch, schema, columns: { spectrum: { data: re, width: bins }, ...rest } };
}
