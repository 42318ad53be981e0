import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Registry } from '../../src/core/registry.ts';
import type { SinkStage } from '../../src/core/stage.ts';
import { sinks } from '../../src/sinks/index.ts';
import { makeBatch, schemaOf } from '../support/batches.ts';
import { openSink, runSink } from '../support/run-sink.ts';

const registry = new Registry(sinks);
const TEMP_NAME = /^\.stats\.json\.sluice-tmp-\d+-[0-9a-f]{12}$/;
const root = mkdtempSync(join(tmpdir(), 'sluice-accumulator-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirCount = 0;
function freshDir(): string {
  return join(root, `case-${++dirCount}`, 'nested');
}

const table = { value: new Float64Array([1, 2, 3, NaN]) };
const schema = schemaOf(table);
const expected = {
  columns: { value: { count: 3, mean: 2, std: Math.sqrt(2 / 3), min: 1, max: 3, nanCount: 1 } },
};

describe.each(['stats', 'histogram'])('%s as an accumulator sink', (name) => {
  const stage = registry.get(name) as SinkStage;
  const params = (out?: string) => ({ ...(name === 'histogram' ? { column: 'value', bins: 2 } : {}), out });

  it('returns the result without writing anything when `out` is absent', async () => {
    const sink = await openSink(stage, params(), schema, [makeBatch(table)]);
    expect(sink.outputs).toEqual([]);
    await sink.write(makeBatch(table));
    expect(await sink.finish()).toMatchObject(name === 'stats' ? expected : { counts: [1, 2], nan: 1 });
  });

  it('refuses an existing output unless overwrite, before any batch', async () => {
    const dir = freshDir();
    const out = join(dir, 'stats.json');
    await runSink(stage, params(out), schema, [makeBatch(table)]);
    writeFileSync(out, 'precious');
    await expect(openSink(stage, params(out), schema, [makeBatch(table)])).rejects.toMatchObject({
      code: 'OUTPUT_EXISTS',
      path: out,
      hint: 'use --overwrite',
    });
    expect(readFileSync(out, 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['stats.json']);
    await runSink(stage, params(out), schema, [makeBatch(table)], { overwrite: true });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveProperty(name === 'stats' ? 'columns' : 'counts');
  });
});

describe('accumulator sink output file', () => {
  const stage = registry.get('stats') as SinkStage;

  it('holds the JSON under a temporary name until finish, then under the final name only', async () => {
    const dir = freshDir();
    const out = join(dir, 'stats.json');
    const sink = await openSink(stage, { out }, schema, []);
    expect(sink.outputs).toEqual([out]);
    await sink.write(makeBatch(table));
    const during = readdirSync(dir);
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(TEMP_NAME);
    expect(readFileSync(join(dir, during[0]), 'utf8')).toBe('');
    const result = await sink.finish();
    expect(result).toEqual(expected);
    expect(readdirSync(dir)).toEqual(['stats.json']);
    expect(readFileSync(out, 'utf8')).toBe(`${JSON.stringify(expected, null, 2)}\n`);
  });

  it('abort leaves neither the output nor a temporary file, and may be repeated', async () => {
    const dir = freshDir();
    const sink = await openSink(stage, { out: join(dir, 'stats.json') }, schema, []);
    await sink.write(makeBatch(table));
    await sink.abort();
    await sink.abort();
    expect(readdirSync(dir)).toEqual([]);
  });
});
