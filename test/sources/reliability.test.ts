/**
 * The bad-input reproducers of ../shared/reliability/ (copied to test/fixtures/reliability/)
 * for the NPY, APT and daf sources: each gives one typed SluiceError, fast, through the real
 * runner, or the values numpy/scipy read (expected.json, by make_reliability_expected.py).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/pipeline/api.ts';
import type { PipelineDefinition } from '../../src/pipeline/api.ts';
import { BACKENDS, fixture, openSource, readAll, valuesOf } from './source-harness.ts';

const expected = JSON.parse(readFileSync(fixture('reliability/expected.json'), 'utf8')) as {
  'npy-bool-ff.npy': number[];
  'csr-dup-i16': number[][];
  'csr-dup-i64': string[][];
};

const dir = mkdtempSync(join(tmpdir(), 'sluice-reliability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stats run over `source`: what a new user's first pipeline does. */
function statsRun(source: PipelineDefinition['source']): Promise<unknown> {
  return run({ source, sinks: [{ type: 'stats' }] });
}

/** Runs `source` and returns the error it rejects with and how long that took. */
async function failure(source: PipelineDefinition['source']): Promise<{ error: unknown; ms: number }> {
  const start = performance.now();
  const error = await statsRun(source).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - start };
}

describe('npy reproducers', () => {
  it.each([
    // (4294967296, 4294967296) and (3037000500, 3037000500): more than 2^53 bytes.
    ['npy-cols-4g.npy', 'FORMAT_INVALID', 10, 'more than 2^53 bytes'],
    ['npy-cols-3g.npy', 'FORMAT_INVALID', 10, 'more than 2^53 bytes'],
    // (1, 50000000) uint8: 50 MB promised, 64 bytes present; no column is built first.
    ['npy-cols-50m.npy', 'SIZE_MISMATCH', 192, 'data is truncated'],
  ])('%s fails fast with %s', async (file, code, offset, message) => {
    const path = fixture(`reliability/${file}`);
    const { error, ms } = await failure({ type: 'npy', path });
    expect(error).toMatchObject({ name: 'SluiceError', code, path, offset });
    expect((error as Error).message).toContain(message);
    expect(error).toHaveProperty('hint', expect.any(String));
    expect(ms).toBeLessThan(5000);
  });

  it.each(BACKENDS)('npy-bool-ff.npy reads 00 01 ff 02 as numpy does: 0, 1, 1, 1 (io: %s)', async (io) => {
    const batches = await readAll(
      await openSource('npy', { path: fixture('reliability/npy-bool-ff.npy'), io }),
    );
    expect(batches.flatMap((b) => valuesOf(b.columns.value.data))).toEqual(expected['npy-bool-ff.npy']);
  });

  it('npy-bool-ff.npy through the runner: stats of 0, 1, 1, 1', async () => {
    const report = (await statsRun({ type: 'npy', path: fixture('reliability/npy-bool-ff.npy') })) as {
      sinks: { result: { columns: { value: { min: number; max: number; mean: number } } } }[];
    };
    expect(report.sinks[0].result.columns.value).toMatchObject({ min: 0, max: 1, mean: 0.75 });
  });
});

describe('apt reproducers', () => {
  it('apt-header-only.apt: no sections is FORMAT_INVALID at the end of the header', async () => {
    const path = fixture('reliability/apt-header-only.apt');
    const { error } = await failure({ type: 'apt', path });
    expect(error).toMatchObject({ code: 'FORMAT_INVALID', path, offset: 540 });
    expect((error as Error).message).toContain('no sections');
  });

  it('apt-dup-section.apt: a section type twice is FORMAT_INVALID naming it', async () => {
    const path = fixture('reliability/apt-dup-section.apt');
    const { error } = await failure({ type: 'apt', path });
    expect(error).toMatchObject({ code: 'FORMAT_INVALID', path, offset: 700 });
    expect((error as Error).message).toContain("section 'Mass' appears twice (at bytes 540 and 700)");
  });
});

describe('daf reproducer 001608 (indptr holds 4294967295)', () => {
  const yaml = fixture('reliability/001608.yaml');

  it('is FORMAT_INVALID naming the .indptr and the byte of the bad value', async () => {
    const { error } = await failure({ type: 'daf', path: yaml, chunkRows: 7 });
    expect(error).toMatchObject({
      code: 'FORMAT_INVALID',
      path: fixture('reliability/001608.indptr'),
      offset: 7 * 4,
    });
    expect((error as Error).message).toContain('indptr[7] = 4294967295 is outside [0, nnz = 26]');
  });

  it('does not abort the CLI process: exit 1 with the code on stderr', () => {
    const spec = join(dir, '001608.yaml');
    writeFileSync(
      spec,
      `source: { type: daf, path: ${JSON.stringify(yaml)}, chunkRows: 7 }\nsinks: [{ type: stats }]\n`,
    );
    const bin = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
    const child = spawnSync(process.execPath, [bin, 'run', spec], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('error FORMAT_INVALID');
    expect(child.stderr).toContain('001608.indptr @ byte 28');
    expect(child.stderr).not.toMatch(/Assertion failed|Closing file descriptor/);
  }, 90_000);
});

describe('daf CSR with repeated column indices: added, as scipy does', () => {
  it.each([1, 2, 7])('int16 (one sum wraps as in numpy), chunkRows %i', async (chunkRows) => {
    const rows = await denseRows('csr-dup-i16', chunkRows);
    expect(rows.map((r) => r.map(Number))).toEqual(expected['csr-dup-i16']);
  });

  it.each([1, 3])('int64 data, uint64 indptr, chunkRows %i', async (chunkRows) => {
    const rows = await denseRows('csr-dup-i64', chunkRows);
    expect(rows.map((r) => r.map(String))).toEqual(expected['csr-dup-i64']);
  });
});

/** The matrix's rows, read densely as one width-k column `value`. */
async function denseRows(name: string, chunkRows: number): Promise<(number | bigint)[][]> {
  const source = await openSource('daf', {
    path: fixture(`reliability/${name}`),
    chunkRows,
    matrix: 'vector',
  });
  const rows: (number | bigint)[][] = [];
  for (const batch of await readAll(source, { overlap: 1 })) {
    const { data, width } = batch.columns.value;
    for (let r = batch.history; r < batch.rows; r++)
      rows.push(valuesOf(data.subarray(r * width, (r + 1) * width)));
  }
  return rows;
}
