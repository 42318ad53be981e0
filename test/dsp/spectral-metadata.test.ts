/** What the spectral transforms tell later stages survives the schema's string metadata exactly. */
import { describe, expect, it } from 'vitest';
import { META, metaNumber, withMetadata } from '../../src/dsp/spectral-metadata.ts';

describe('spectral metadata', () => {
  it('reads back the numbers written, bit for bit, and keeps earlier entries', () => {
    const base = { columns: [], metadata: { other: 'kept' } };
    const schema = withMetadata(base, { [META.windowSum]: 0.1 + 0.2, [META.window]: 'hann' });
    expect(metaNumber(schema, META.windowSum)).toBe(0.30000000000000004);
    expect(schema.metadata).toEqual({
      other: 'kept',
      'spectral.windowSum': '0.30000000000000004',
      'spectral.window': 'hann',
    });
    expect(metaNumber(schema, META.nfft)).toBeUndefined();
    expect(base.metadata).toEqual({ other: 'kept' });
  });
});
