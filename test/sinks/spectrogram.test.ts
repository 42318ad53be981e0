/** spectrogram equals scipy.signal.spectrogram (goldens by make_spectral_goldens.py) for every chunk size. */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.ts';
import { parseNpyHeader } from '../../src/formats/npy/header.ts';
import { run } from '../../src/pipeline/api.ts';
import type { SpectrogramResult } from '../../src/sinks/spectrogram.ts';
import spectrogram from '../../src/sinks/spectrogram.ts';
import { chunkBatches } from '../support/batches.ts';
import { goldenCases, readGolden } from '../support/golden.ts';
import { openSink } from '../support/run-sink.ts';

interface SpectrogramGolden {
  signal: string;
  sampleRate: number | null;
  params: Record<string, unknown> & { nperseg?: number };
  endRow: number;
  frequencies: number[];
  times: number[];
  shape: [number, number];
  sxx?: number[];
  re?: number[];
  im?: number[];
}

function expectClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  scale: number,
  where: string,
): void {
  expect(actual.length, where).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst / scale, where).toBeLessThan(1e-10);
}

describe.each(goldenCases('spectrogram'))('spectrogram %s equals scipy', (name) => {
  const g = readGolden<SpectrogramGolden>('spectrogram', name);
  const n = g.params.nperseg ?? 256;
  it.each([n - 1, 3 * n + 5, 1 << 20])('with chunkRows %i', async (chunkRows) => {
    const out = join(mkdtempSync(join(tmpdir(), 'sluice-spectrogram-')), 'sxx.npy');
    const source = goldenSource(g, chunkRows);
    const report = await run({ source, sinks: [{ type: 'spectrogram', ...g.params, out }] });
    const result = report.sinks[0].result as SpectrogramResult;
    expect(result.shape).toEqual(g.shape);
    expect(result.frequencies).toEqual(g.frequencies);
    const times = Array.from(
      { length: result.times.count },
      (_, i) => result.times.first + i * result.times.step,
    );
    expectClose(times, g.times, 1, 'times');
    const bytes = readFileSync(out);
    const header = parseNpyHeader(new Uint8Array(bytes), out);
    expect(header.shape).toEqual(g.shape);
    expect(header.fortranOrder).toBe(true);
    const values = new Float64Array(Uint8Array.from(bytes.subarray(header.dataOffset)).buffer);
    const [f, t] = g.shape;
    // Fortran order: element (i, j) at j·F + i; scipy's JSON is C order, i·T + j.
    if (g.sxx) {
      expect(header.descr).toBe('<f8');
      const scale = Math.max(...g.sxx.map(Math.abs));
      const c = Float64Array.from({ length: f * t }, (_, idx) => values[(idx % t) * f + Math.floor(idx / t)]);
      expectClose(c, g.sxx, scale, 'sxx');
    } else {
      expect(header.descr).toBe('<c16');
      const re = Float64Array.from(
        { length: f * t },
        (_, idx) => values[2 * ((idx % t) * f + Math.floor(idx / t))],
      );
      const im = Float64Array.from(
        { length: f * t },
        (_, idx) => values[2 * ((idx % t) * f + Math.floor(idx / t)) + 1],
      );
      const scale = Math.max(...(g.re ?? []).map(Math.abs));
      expectClose(re, g.re ?? [], scale, 're');
      expectClose(im, g.im ?? [], scale, 'im');
    }
  });
});

describe('spectrogram params', () => {
  it('defaults are scipy’s and bad combinations are refused', () => {
    const p = spectrogram.params.parse({ out: 'x.npy' });
    expect(p).toMatchObject({
      nperseg: 256,
      window: { name: 'tukey', alpha: 0.25 },
      mode: 'psd',
      detrend: 'constant',
    });
    expect(spectrogram.params.safeParse({ out: 'x.npy', mode: 'complex', db: true }).success).toBe(false);
    expect(spectrogram.params.safeParse({ out: 'x.json' }).success).toBe(false);
  });
});

/** Slices of a run as rows: times and T × F values (2F interleaved re, im for complex). */
/** The golden case's input signal, read in batches of `chunkRows`. */
function goldenSource(g: SpectrogramGolden, chunkRows: number) {
  return {
    type: 'npy',
    path: `test/fixtures/npy/spectral-${g.signal}.npy`,
    endRow: g.endRow,
    chunkRows,
    sampleRate: g.sampleRate ?? undefined,
  };
}

interface Slices {
  times: number[];
  values: Float64Array;
}

async function runGolden(
  g: SpectrogramGolden,
  chunkRows: number,
  out: string,
  writer?: object,
): Promise<void> {
  const source = goldenSource(g, chunkRows);
  await run({ source, sinks: [{ type: 'spectrogram', ...g.params, out, ...(writer ? { writer } : {}) }] });
}

/** The .npy path's Sxx (Fortran F × T) as T rows of F (or 2F) values. */
function npySlices(path: string, complex: boolean): Float64Array {
  const bytes = readFileSync(path);
  const header = parseNpyHeader(new Uint8Array(bytes), path);
  expect(header.shape.length).toBe(2);
  // Fortran order stores column j (slice j) contiguously: that already is the row layout.
  const values = new Float64Array(Uint8Array.from(bytes.subarray(header.dataOffset)).buffer);
  expect(values.length).toBe(header.shape[0] * header.shape[1] * (complex ? 2 : 1));
  return values;
}

function interleave(re: readonly number[][], im: readonly number[][]): Float64Array {
  return Float64Array.from(re.flatMap((row, j) => row.flatMap((v, k) => [v, im[j][k]])));
}

async function parquetSlices(path: string, complex: boolean): Promise<Slices> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const rows = await parquetReadObjects({ file });
  const col = (name: string) => rows.map((r) => r[name] as number[]);
  return {
    times: rows.map((r) => r.time as number),
    values: complex ? interleave(col('re'), col('im')) : Float64Array.from(col('Sxx').flat()),
  };
}

function arrowSlices(path: string, complex: boolean): Slices {
  const t = tableFromIPC(readFileSync(path));
  const flat = (name: string) => {
    const width = (t.getChild(name)!.type as { listSize: number }).listSize;
    return t
      .getChild(name)!
      .data.flatMap((d) => [
        ...(d.children[0].values as Float64Array).subarray(d.offset * width, (d.offset + d.length) * width),
      ]);
  };
  const bins = complex ? (t.getChild('re')!.type as { listSize: number }).listSize : 0;
  const rowsOf = (v: number[]) =>
    Array.from({ length: t.numRows }, (_, j) => v.slice(j * bins, (j + 1) * bins));
  return {
    times: [...(t.getChild('time')!.toArray() as Float64Array)],
    values: complex ? interleave(rowsOf(flat('re')), rowsOf(flat('im'))) : Float64Array.from(flat('Sxx')),
  };
}

function expectSame(actual: Float64Array, expected: Float64Array, where: string): void {
  expect(actual.length, where).toBe(expected.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  expect(worst / scale, where).toBeLessThan(1e-12);
}

describe.each(goldenCases('spectrogram'))('spectrogram %s as one row per time slice', (name) => {
  const g = readGolden<SpectrogramGolden>('spectrogram', name);
  const n = g.params.nperseg ?? 256;
  const complex = g.params.mode === 'complex';

  it('parquet (snappy, none) and arrow equal the .npy path, for chunkRows n − 1 and 1 Mi', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-spectrogram-table-'));
    await runGolden(g, 1 << 20, join(dir, 'ref.npy'));
    const reference = npySlices(join(dir, 'ref.npy'), complex);
    for (const chunkRows of [n - 1, 1 << 20]) {
      const outs = {
        snappy: join(dir, `${chunkRows}-snappy.parquet`),
        none: join(dir, `${chunkRows}-none.parquet`),
        arrow: join(dir, `${chunkRows}.arrow`),
      };
      await runGolden(g, chunkRows, outs.snappy, { compression: 'snappy' });
      await runGolden(g, chunkRows, outs.none, { compression: 'none' });
      await runGolden(g, chunkRows, outs.arrow);
      for (const slices of [
        await parquetSlices(outs.snappy, complex),
        await parquetSlices(outs.none, complex),
        arrowSlices(outs.arrow, complex),
      ]) {
        expectSame(slices.values, reference, `values, chunkRows ${chunkRows}`);
        expect(slices.times, `times, chunkRows ${chunkRows}`).toEqual(g.times); // exactly scipy’s
      }
    }
    // The rows are scipy's Sxx transposed (its JSON is C order F × T: (k, j) at k·T + j).
    const [f, t] = g.shape;
    const at = (values: readonly number[]) =>
      Array.from({ length: t }, (_, j) => Array.from({ length: f }, (_, k) => values[k * t + j]));
    const golden = g.sxx ? Float64Array.from(at(g.sxx).flat()) : interleave(at(g.re!), at(g.im!));
    const scale = Math.max(...golden.map(Math.abs));
    let worst = 0;
    for (let i = 0; i < golden.length; i++) worst = Math.max(worst, Math.abs(reference[i] - golden[i]));
    expect(worst / scale).toBeLessThan(1e-10);
  });
});

describe('spectrogram table outputs', () => {
  const g = readGolden<SpectrogramGolden>('spectrogram', 'f32-default');

  it('frequencies are the column axis and the metadata; time is in seconds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-spectrogram-meta-'));
    const arrowPath = join(dir, 's.arrow');
    const parquetPath = join(dir, 's.parquet');
    await runGolden(g, 1000, arrowPath);
    await runGolden(g, 1000, parquetPath, { compression: 'none' });
    const t = tableFromIPC(readFileSync(arrowPath));
    expect(t.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['time', 'Float64'],
      ['Sxx', 'FixedSizeList[129]<Float64>'],
    ]);
    expect(t.schema.fields[0].metadata.get('unit')).toBe('s');
    expect(JSON.parse(t.schema.fields[1].metadata.get('axis')!)).toEqual({
      name: 'frequency',
      unit: 'Hz',
      start: 0,
      step: 1000 / 256,
    });
    expect(JSON.parse(t.schema.metadata.get('spectrogram.frequencies')!)).toEqual(g.frequencies);
    expect(t.schema.metadata.get('spectrogram.window')).toBe('tukey(alpha=0.25)');
    const bytes = readFileSync(parquetPath);
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const kv = new Map((meta.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    expect(JSON.parse(kv.get('spectrogram.frequencies')!)).toEqual(g.frequencies);
    expect(Number(meta.num_rows)).toBe(g.shape[1]);
  });

  it('.csv and .h5 get the same rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-spectrogram-csv-'));
    await runGolden(g, 1000, join(dir, 's.csv'));
    await runGolden(g, 1000, join(dir, 's.h5'));
    const lines = readFileSync(join(dir, 's.csv'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(1 + g.shape[1]);
    expect(lines[0].split(',').slice(0, 3)).toEqual(['time', 'Sxx_0', 'Sxx_1']);
    expect(Number(lines[1].split(',')[0])).toBe(g.times[0]);
    expect(existsSync(join(dir, 's.h5'))).toBe(true);
  });

  it('an input shorter than nperseg gives one slice, as scipy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-spectrogram-short-'));
    const out = join(dir, 's.arrow');
    const npyOut = join(dir, 's.npy');
    const source = { type: 'npy', path: 'test/fixtures/npy/spectral-f64.npy', endRow: 100, chunkRows: 30 };
    await run({
      source,
      sinks: [
        { type: 'spectrogram', out },
        { type: 'spectrogram', out: npyOut },
      ],
    });
    const slices = arrowSlices(out, false);
    expect(slices.times).toEqual([50]);
    expectSame(slices.values, npySlices(npyOut, false), 'short input');
    expect(readdirSync(dir).sort()).toEqual(['s.arrow', 's.npy']);
  });

  it('a failed run leaves no file, not even a temporary one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-spectrogram-fail-'));
    const input = join(dir, 'cut.npy');
    copyFileSync('test/fixtures/npy/spectral-f64.npy', input);
    truncateSync(input, 128 + 8 * 5000); // the header promises 9000 rows
    const outs = ['s.parquet', 's.arrow', 's.h5', 's.csv'].map((f) => join(dir, f));
    const error = await run({
      source: { type: 'npy', path: input, chunkRows: 300 },
      sinks: outs.map((out) => ({ type: 'spectrogram', out })),
    }).catch((e: unknown) => e);
    expect(isSluiceError(error)).toBe(true);
    expect(readdirSync(dir)).toEqual(['cut.npy']);

    // Aborted after slices were written (the runner's path on any later failure).
    const schema = { columns: [{ name: 'value', dtype: 'float64' as const, width: 1 }] };
    const signal = new Float64Array(4000).map((_, i) => Math.sin(i / 7));
    const batches = chunkBatches({ value: signal }, 1000, { history: 255 });
    for (const out of outs) {
      const sink = await openSink(spectrogram, { out }, schema, batches);
      for (const batch of batches.slice(0, 3)) await sink.write(batch);
      await sink.abort();
    }
    expect(readdirSync(dir)).toEqual(['cut.npy']);
  });

  it('writer params are checked and refused with .npy', () => {
    expect(spectrogram.params.safeParse({ out: 'x.npy', writer: { compression: 'snappy' } }).success).toBe(
      false,
    );
    expect(
      spectrogram.params.safeParse({ out: 'x.parquet', writer: { compression: 'snappy' } }).success,
    ).toBe(true);
    const p = spectrogram.params.parse({ out: 'x.parquet', writer: { compression: 'lz9' } });
    const schema = { columns: [{ name: 'value', dtype: 'float64' as const, width: 1 }] };
    expect(() => spectrogram.check?.(p, schema)).toThrow(/writer params/);
  });
});
