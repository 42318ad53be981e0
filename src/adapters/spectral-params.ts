/**
 * The parameters scipy's welch and spectrogram share, as zod fields, and the check of the
 * signal column. Each sink spreads these into its own `z.object` and sets its defaults;
 * scipy's checks of nperseg/noverlap/nfft are in dsp/segments.ts.
 */
import { z } from 'zod';
import { SluiceError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import { requireColumn } from '../core/schema.ts';
import { windowParam } from '../dsp/windows.ts';

export const spectralFields = {
  column: z.string().min(1).default('value').describe('The signal: a width-1 numeric column.'),
  nperseg: z
    .number()
    .int()
    .min(1)
    .default(256)
    .describe('Samples per segment; capped at the input length when longer (scipy warns and does the same).'),
  nfft: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'FFT length ≥ nperseg (zero padded); any size (Bluestein for non powers of two). Default nperseg.',
    ),
  detrend: z
    .enum(['constant', 'linear', 'none'])
    .default('constant')
    .describe("Per segment, as scipy.signal.detrend ('none' is scipy's detrend=False)."),
  scaling: z
    .enum(['density', 'spectrum'])
    .default('density')
    .describe('density: V²/Hz, scaled by 1/(fs·Σw²); spectrum: V², scaled by 1/(Σw)².'),
  window: windowParam,
};

/** scipy's noverlap, whose default differs between welch (nperseg // 2) and spectrogram (// 8). */
export function noverlapField(defaultText: string) {
  return z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(`Samples shared by consecutive segments (< nperseg). Default ${defaultText}.`);
}

/** The memory cap of `average: median`, which keeps every periodogram. */
export const medianMemoryField = z
  .number()
  .positive()
  .default(1024)
  .describe('average: median keeps every periodogram (segments × bins × 8 bytes); the run stops past this.');

/** The column the sink reads; it must hold one value per row. */
export function checkSignalColumn(schema: Schema, column: string, stage: string): void {
  const c = requireColumn(schema, column, stage);
  if (c.width !== 1) {
    throw new SluiceError('COLUMN_UNKNOWN', `${stage}: column '${column}' has width ${c.width}, not 1`, {
      hint: 'a spectral sink reads a signal, one sample per row',
    });
  }
}
