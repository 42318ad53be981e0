/**
 * What segment, detrend, window and fft tell the stages after them (psd): entries of
 * schema.metadata, written so that numbers read back exactly.
 */
import type { Schema } from '../core/schema.ts';

export const META = {
  segmentLength: 'spectral.segmentLength',
  hop: 'spectral.hop',
  detrend: 'spectral.detrend',
  window: 'spectral.window',
  windowSum: 'spectral.windowSum',
  windowSumSquares: 'spectral.windowSumSquares',
  nfft: 'spectral.nfft',
  fftOutput: 'spectral.fftOutput',
} as const;

/** A schema with extra metadata entries (numbers written so that they read back exactly). */
export function withMetadata(schema: Schema, entries: Record<string, string | number>): Schema {
  const metadata: Record<string, string> = { ...schema.metadata };
  for (const [key, value] of Object.entries(entries)) metadata[key] = String(value);
  return { ...schema, metadata };
}

export function metaNumber(schema: Schema, key: string): number | undefined {
  const text = schema.metadata?.[key];
  return text === undefined ? undefined : Number(text);
}
