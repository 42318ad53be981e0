/**
 * Accumulator results through the table writers (result-file.ts), read back by independent
 * readers: hyparquet for Parquet, apache-arrow for IPC, h5wasm for HDF5, text for CSV.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import h5wasm from 'h5wasm/node';
import { parquetReadObjects } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import { writeEpos } from '../../scripts/sample-epos.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-result-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SIGNAL = 'test/fixtures/spectrum-average/signal-f8.npy';
const EPOS = join(dir, 'run.epos');
writeEpos(EPOS, 3001);

async function readParquet(path: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return parquetReadObjects({ file });
}

describe('accumulator results through the table writers', () => {
  it('a Welch PSD to .parquet, .arrow, .h5 and .csv; .npy stays 2 × F', async () => {
    const outs = ['psd.parquet', 'psd.arrow', 'psd.h5', 'psd.csv', 'psd.npy'].map((f) => join(dir, f));
    const report = await run({
      source: { type: 'npy', path: SIGNAL, sampleRate: 1e4, chunkRows: 777 },
      sinks: outs.map((out) => ({ type: 'welch', nperseg: 256, out })),
    });
    const { frequencies, psd } = report.sinks[0].result as { frequencies: number[]; psd: number[] };
    expect(psd).toHaveLength(129);

    const rows = await readParquet(outs[0]);
    expect(rows.map((r) => r.frequency)).toEqual(frequencies);
    expect(rows.map((r) => r.psd)).toEqual(psd);

    const table = tableFromIPC(readFileSync(outs[1]));
    expect(Array.from(table.getChild('frequency')!.toArray() as Float64Array)).toEqual(frequencies);
    expect(Array.from(table.getChild('psd')!.toArray() as Float64Array)).toEqual(psd);

    await h5wasm.ready;
    const h5 = new h5wasm.File(outs[2], 'r');
    try {
      expect(h5.keys().sort()).toEqual(['frequency', 'psd']);
      const data = (h5.get('psd') as InstanceType<typeof h5wasm.Dataset>).value as Float64Array;
      expect(Array.from(data)).toEqual(psd);
    } finally {
      h5.close();
    }

    const csv = readFileSync(outs[3], 'utf8').trim().split('\n');
    expect(csv[0]).toBe('frequency,psd');
    expect(csv.slice(1).map((line) => Number(line.split(',')[1]))).toEqual(psd);

    const npy = readFileSync(outs[4]);
    expect(npy.toString('latin1', 0, 80)).toContain("'shape': (2, 129)");
  });

  it('a spectrum-average to .arrow (frequency, magnitude_db)', async () => {
    const out = join(dir, 'avg.arrow');
    const report = await run({
      source: { type: 'npy', path: SIGNAL, sampleRate: 1e4 },
      sinks: [{ type: 'spectrum-average', chunkSize: 256, out }],
    });
    const { magnitudeDb } = report.sinks[0].result as { magnitudeDb: number[] };
    const table = tableFromIPC(readFileSync(out));
    expect(table.schema.fields.map((f) => f.name)).toEqual(['frequency', 'magnitude_db']);
    expect(Array.from(table.getChild('magnitude_db')!.toArray() as Float64Array)).toEqual(magnitudeDb);
  });

  it('a histogram to .parquet (left, right, count) with units, and histogram2d to .arrow', async () => {
    const hist = join(dir, 'ms.parquet');
    const det = join(dir, 'det.arrow');
    const stats = join(dir, 'stats.parquet');
    const report = await run({
      source: { type: 'epos', path: EPOS, chunkRows: 1000 },
      sinks: [
        { type: 'histogram', column: 'm/n (Da)', bins: 50, range: [0, 60], out: hist },
        { type: 'histogram2d', x: 'det_x (mm)', y: 'det_y (mm)', bins: [4, 3], out: det },
        { type: 'stats', columns: ['m/n (Da)', 'ipp'], out: stats },
      ],
    });
    const h = report.sinks[0].result as { edges: number[]; counts: number[] };
    const rows = await readParquet(hist);
    expect(rows).toHaveLength(50);
    expect(rows.map((r) => r.left)).toEqual(h.edges.slice(0, 50));
    expect(rows.map((r) => r.right)).toEqual(h.edges.slice(1));
    expect(rows.map((r) => r.count)).toEqual(h.counts.map(BigInt));

    const h2 = report.sinks[1].result as { xedges: number[]; yedges: number[]; counts: number[][] };
    const table = tableFromIPC(readFileSync(det));
    expect(table.numRows).toBe(12);
    expect(Array.from(table.getChild('count')!.toArray() as Float64Array)).toEqual(h2.counts.flat());
    expect(Array.from(table.getChild('x_left')!.toArray() as Float64Array).slice(0, 4)).toEqual(
      Array(3).fill(h2.xedges[0]).concat([h2.xedges[1]]),
    );
    expect(Array.from(table.getChild('y_right')!.toArray() as Float64Array).slice(0, 3)).toEqual(
      h2.yedges.slice(1),
    );

    const s = report.sinks[2].result as {
      columns: Record<string, { count: number; mean: number; max: number }>;
    };
    const [row] = await readParquet(stats);
    expect(row['m/n (Da).count']).toBe(3001n);
    expect(row['m/n (Da).mean']).toBe(s.columns['m/n (Da)'].mean);
    expect(row['ipp.max']).toBe(s.columns.ipp.max);
  });

  it('refuses an existing table output before reading, and writes nothing when the run fails', async () => {
    const out = join(dir, 'exists.parquet');
    writeFileSync(out, 'x');
    await expect(
      run({ source: { type: 'epos', path: EPOS }, sinks: [{ type: 'histogram', column: 'm/n (Da)', out }] }),
    ).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    const never = join(dir, 'never.arrow');
    await expect(
      run({
        source: { type: 'npy', path: SIGNAL },
        sinks: [
          { type: 'welch', nperseg: 64, out: never },
          { type: 'stats', columns: ['nope'] },
        ],
      }),
    ).rejects.toMatchObject({ code: 'COLUMN_UNKNOWN' });
    expect(existsSync(never)).toBe(false);
  });
});
