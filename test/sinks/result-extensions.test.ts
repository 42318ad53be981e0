/**
 * Accumulators write by extension, through the format writers: `quantiles` too (a table of one
 * row per quantile), never JSON under another format's name; an extension nothing writes is
 * refused by validation, naming the extensions that work, before any data is read.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { run, validateDefinition } from '../../src/pipeline/api.ts';
import { quantilesTable } from '../../src/stats/quantiles.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-result-ext-'));
const SOURCE = { type: 'epos', path: 'test/fixtures/epos/ions.epos', columns: ['m/n (Da)', 'x (nm)'] };

describe('quantiles written by extension', () => {
  it('.parquet, .csv and .json hold the same quantiles; the table has q and a column per column', async () => {
    const report = await run({
      source: SOURCE,
      sinks: [
        { type: 'quantiles', q: [0.1, 0.9], exact: true, out: join(dir, 'q.parquet') },
        { type: 'quantiles', q: [0.1, 0.9], exact: true, out: join(dir, 'q.csv') },
        { type: 'quantiles', q: [0.1, 0.9], exact: true, out: join(dir, 'q.json') },
      ],
    });
    const result = report.sinks[0].result as {
      columns: { column: string; median: number; quantiles: Record<string, number> }[];
    };
    const bytes = readFileSync(join(dir, 'q.parquet'));
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const rows = (await parquetReadObjects({ file })) as Record<string, number>[];
    expect(rows.map((r) => r.q)).toEqual([0.5, 0.1, 0.9]);
    const mn = result.columns.find((c) => c.column === 'm/n (Da)')!;
    expect(rows.map((r) => r['m/n (Da)'])).toEqual([mn.median, mn.quantiles['0.1'], mn.quantiles['0.9']]);
    expect(readFileSync(join(dir, 'q.csv'), 'utf8').split('\n')[0]).toBe('q,m/n (Da),x (nm)');
    expect(JSON.parse(readFileSync(join(dir, 'q.json'), 'utf8'))).toEqual(result);
    expect(quantilesTable(result as never).columns.q).toEqual(Float64Array.from([0.5, 0.1, 0.9]));
  });
});

describe('an extension nothing writes', () => {
  it.each([
    [
      'histogram',
      { type: 'histogram', column: 'x (nm)', bins: 4, range: [0, 1], out: join(dir, 'h.txt') },
      ['out'],
    ],
    ['quantiles', { type: 'quantiles', out: join(dir, 'q.dat') }, ['out']],
    ['stats', { type: 'stats', out: join(dir, 's.yaml') }, ['out']],
    ['histogram2d', { type: 'histogram2d', x: 'x (nm)', y: 'm/n (Da)', out: join(dir, 'h2.txt') }, ['out']],
    [
      'a histogram inside a plot',
      {
        type: 'plot',
        out: join(dir, 'p.svg'),
        of: { type: 'histogram', column: 'x (nm)', range: [0, 1], out: join(dir, 'h.bin') },
      },
      ['of', 'out'],
    ],
  ])('%s: refused by validation, naming the extensions that work', (_label, sink, param) => {
    let error: { code?: string; message?: string; hint?: string } = {};
    try {
      validateDefinition({ source: SOURCE, sinks: [sink] });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.code).toBe('PARAMS_INVALID');
    expect(error.message).toContain(`sinks[0].${param.join('.')}`);
    expect(`${error.message} ${error.hint}`).toMatch(/\.json.*\.parquet/);
  });

  it('is refused by run before any file is opened', async () => {
    await expect(
      run({ source: SOURCE, sinks: [{ type: 'quantiles', out: join(dir, 'late.txt') }] }),
    ).rejects.toMatchObject({ code: 'PARAMS_INVALID' });
    expect(existsSync(join(dir, 'late.txt'))).toBe(false);
  });
});
