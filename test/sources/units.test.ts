/**
 * Units travel with the data: EPOS and POS columns carry `unit` (nm, Da, ns, V, mm) in their
 * schema, so Arrow field metadata, Parquet key-value metadata and HDF5 `unit` attributes carry
 * them; spectra written as tables carry the sampleRate and their units.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import h5wasm from 'h5wasm/node';
import { parquetMetadata } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { spectrumOutput } from '../../src/adapters/spectrum-output.ts';
import { inspectFile } from '../../src/pipeline/inspect.ts';
import { run } from '../../src/pipeline/api.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-units-'));

const EPOS_UNITS = {
  'x (nm)': 'nm',
  'y (nm)': 'nm',
  'z (nm)': 'nm',
  'm/n (Da)': 'Da',
  'TOF (ns)': 'ns',
  'HV_DC (V)': 'V',
  'pulse (V)': 'V',
  'det_x (mm)': 'mm',
  'det_y (mm)': 'mm',
};

function unitsOf(columns: readonly { name: string; unit?: string }[]): Record<string, string> {
  return Object.fromEntries(columns.flatMap((c) => (c.unit ? [[c.name, c.unit]] : [])));
}

describe('EPOS and POS units', () => {
  it('are in the schema of both sources', async () => {
    const epos = await inspectFile('test/fixtures/epos/ions.epos', { head: 1 });
    if (epos.kind !== 'table') throw new Error('an EPOS file is a table');
    expect(unitsOf(epos.schema.columns)).toEqual(EPOS_UNITS);
    const pos = await inspectFile('test/fixtures/pos/ions.pos', { head: 1 });
    if (pos.kind !== 'table') throw new Error('a POS file is a table');
    expect(unitsOf(pos.schema.columns)).toEqual({
      'x (nm)': 'nm',
      'y (nm)': 'nm',
      'z (nm)': 'nm',
      'm/n (Da)': 'Da',
    });
  });

  it('reach Arrow field metadata, Parquet metadata and HDF5 unit attributes', async () => {
    const out = (ext: string) => join(dir, `ions.${ext}`);
    await run({
      source: { type: 'epos', path: 'test/fixtures/epos/ions.epos' },
      sinks: [
        { type: 'arrow', out: out('arrow') },
        { type: 'parquet', out: out('parquet') },
        { type: 'hdf5', out: out('h5'), group: 'df' },
      ],
    });
    const arrow = tableFromIPC(readFileSync(out('arrow')));
    expect(arrow.schema.fields.find((f) => f.name === 'm/n (Da)')!.metadata.get('unit')).toBe('Da');
    expect(arrow.schema.fields.find((f) => f.name === 'TOF (ns)')!.metadata.get('unit')).toBe('ns');
    const bytes = readFileSync(out('parquet'));
    const kv = parquetMetadata(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    ).key_value_metadata;
    expect(JSON.parse(kv!.find((e) => e.key === 'units')!.value!)).toEqual(EPOS_UNITS);
    await h5wasm.ready;
    const f = new h5wasm.File(out('h5'), 'r');
    try {
      const unit = (name: string) =>
        (f.get(`df/${name}`) as InstanceType<typeof h5wasm.Dataset>).get_attribute('unit', true);
      expect(unit('det_x (mm)')).toBe('mm');
      expect(unit('m%2Fn (Da)')).toBe('Da');
    } finally {
      f.close();
    }
  });
});

describe('spectra as tables', () => {
  it('a Welch PSD in Parquet carries its sampleRate and frequency unit', async () => {
    const out = join(dir, 'psd.parquet');
    await run({
      source: { type: 'npy', path: 'test/fixtures/npy/spectral-f32.npy', sampleRate: 2000 },
      sinks: [{ type: 'welch', nperseg: 256, out }],
    });
    const bytes = readFileSync(out);
    const kv = parquetMetadata(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    ).key_value_metadata!;
    expect(kv.find((e) => e.key === 'sampleRate')!.value).toBe('2000');
    expect(JSON.parse(kv.find((e) => e.key === 'units')!.value!)).toMatchObject({ frequency: 'Hz' });
  });

  it('with the signal’s unit, the PSD column is in unit²/Hz (unit² for a spectrum, dB for dB values)', () => {
    const psd = { frequencies: [0, 1], psd: [1, 2], sampleRate: 8, scaling: 'density' };
    const table = spectrumOutput<typeof psd>('x.parquet', (r) => r.psd, 'psd', { unit: 'V' }).table!(psd);
    expect(table).toMatchObject({ sampleRate: 8, units: { frequency: 'Hz', psd: 'V^2/Hz' } });
    const power = spectrumOutput<typeof psd>('x.parquet', (r) => r.psd, 'psd', { unit: 'V', sampleRate: 4 })
      .table!({
      ...psd,
      scaling: 'spectrum',
    });
    expect(power).toMatchObject({ sampleRate: 4, units: { psd: 'V^2' } });
    const db = { frequencies: [0], magnitudeDb: [-3] };
    expect(spectrumOutput<typeof db>('x.csv', (r) => r.magnitudeDb, 'magnitude_db').table!(db).units).toEqual(
      {
        frequency: 'Hz',
        magnitude_db: 'dB',
      },
    );
  });
});
