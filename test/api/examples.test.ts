/**
 * The programs in examples/ run (npm test type-checks them too): a transform of one's own
 * beside sluice's stages, an HTTP app streaming results, an ETL script.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipRange } from '../../examples/custom-transform.ts';
import { eposToParquet } from '../../examples/etl.ts';
import { createApp } from '../../examples/http-results.ts';

describe('examples/', () => {
  it('custom-transform: a defineStage transform runs beside sluice’s stages', async () => {
    const { before, after } = await clipRange('test/fixtures/npy/f4-sine.npy');
    expect(before).toMatchObject({ max: expect.any(Number) });
    expect((before as { max: number }).max).toBeGreaterThan(0.5);
    expect(after).toEqual({ min: -0.5, max: 0.5 });
  });

  it('etl: EPOS to Parquet in PyCCAPT’s layout, a mass window, typed results, units in the metadata', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sluice-etl-'));
    // snappy: the reader here (hyparquet) has no zstd.
    const summary = await eposToParquet('test/fixtures/epos/ions.epos', out, [10, 40], 'snappy');
    expect(summary.output).toBe(join(out, 'ions.parquet'));
    expect(summary.kept).toBeGreaterThan(0);
    expect(summary.kept).toBeLessThan(summary.ions);
    const buffer = readFileSync(summary.output);
    const file = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength);
    const rows = (await parquetReadObjects({ file, columns: ['mc (Da)'] })) as Record<string, number>[];
    expect(rows).toHaveLength(summary.kept);
    expect(rows.every((r) => r['mc (Da)'] >= 10 && r['mc (Da)'] <= 40)).toBe(true);
    const meta = parquetMetadata(file).key_value_metadata ?? [];
    expect(JSON.parse(meta.find((kv) => kv.key === 'units')!.value!)).toMatchObject({ 'mc (Da)': 'Da' });
  });

  describe('http-results: results streamed to HTTP responses', () => {
    const server = createApp(resolve('test/fixtures/npy'));
    let base = '';
    beforeAll(async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('streams rows as CSV, and a histogram as JSON', async () => {
      const rows = await fetch(`${base}/rows?file=f8-be.npy&limit=10`);
      expect(rows.headers.get('content-type')).toBe('text/csv');
      const lines = (await rows.text()).trimEnd().split('\n');
      expect(lines).toHaveLength(11);
      expect(lines[0]).toBe('value');
      const histogram = await fetch(`${base}/histogram?file=f8-be.npy&bins=4&lo=-10&hi=10`);
      const { edges, counts } = (await histogram.json()) as { edges: number[]; counts: number[] };
      expect(edges).toEqual([-10, -5, 0, 5, 10]);
      expect(counts).toHaveLength(4);
    });

    it('answers a bad request with the error’s code and hint', async () => {
      const response = await fetch(`${base}/rows?file=nothing.npy`);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(((await response.json()) as { code: string }).code).toMatch(/^[A-Z_]+$/);
    });
  });
});
