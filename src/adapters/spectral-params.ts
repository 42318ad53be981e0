/**
 * The parameters scipy's welch and spectrogram share, as zod fields, the check of the signal
 * column, and nperseg fitted to the input's length. Each sink spreads these into its own
 * `z.object` and sets its defaults; scipy's checks of nperseg/noverlap/nfft, and sluice's limits
 * on their size, are in dsp/segments.ts.
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
    .describe(
      'Samples per segment; capped at the input length when longer (scipy warns and does the same). ' +
        'At most 2^25 (33,554,432), and its buffers must fit in half the memory (PARAMS_INVALID otherwise).',
    ),
  nfft: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'FFT length ≥ nperseg (zero padded); any size (Bluestein for non powers of two) up to 2^25 ' +
        '(2^24 when not a power of two). Default nperseg.',
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

/**
 * The params with nperseg shortened to the input's length when the sink knows it (`rows`, from
 * SinkContext) and the input is shorter than one segment, as scipy does (with a warning, logged
 * here): the buffers are then sized by the input, not by nperseg. The result is the one the
 * accumulator's short-input path computes anyway. Only `rows < nperseg − 1` is taken as short:
 * a shard's row range is never shorter than the run's look-back (≥ nperseg − 1), so a shard is
 * never shortened; an input of exactly nperseg − 1 rows keeps nperseg and takes that path.
 */
export function fitSegmentToInput<P extends { readonly nperseg: number }>(
  p: P,
  rows: number | undefined,
  stage: string,
  log: (message: string) => void,
): P {
  if (rows === undefined || rows < 1 || rows >= p.nperseg - 1) return p;
  log(`${stage}: nperseg = ${p.nperseg} is greater than input length = ${rows}, using nperseg = ${rows}`);
  return { ...p, nperseg: rows };
}
