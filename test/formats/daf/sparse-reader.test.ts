/**
 * The daf source on corrupt files: every CSR claim (sizes, indptr, column indices) is checked
 * before it is used, errors name the file and byte, huge shapes are refused before anything is
 * allocated, and no error path leaves a file open.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType } from '../../../src/core/dtype.ts';
import { allocArray } from '../../../src/core/dtype.ts';
import { checkIndptr, scatterRows } from '../../../src/formats/daf/csr.ts';
import { SPARSE_BATCH_BYTES, SPARSE_MAX_WIDTH } from '../../../src/formats/daf/sparse-reader.ts';
import { MAX_TABLE_COLUMNS } from '../../../src/io/table-reader.ts';
import { openSource, readAll } from '../../sources/source-harness.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-daf-csr-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Csr {
  readonly shape: [number, number];
  readonly data: number[];
  readonly indices: number[];
  readonly indptr: number[];
  readonly dtypes?: [DType, DType, DType];
  readonly nnz?: number;
  /** Parts to leave out. */
  readonly omit?: string[];
}

/** Writes `<dir>/<name>.{yaml,data,indices,indptr}` as given (nothing checked) and returns the base. */
function writeCsr(name: string, m: Csr): string {
  const base = join(dir, name);
  const [dataDtype, indicesDtype, indptrDtype] = m.dtypes ?? ['float32', 'int32', 'int64'];
  const write = (part: string, dtype: DType, values: number[]) => {
    if (m.omit?.includes(part)) return;
    const array = allocArray(dtype, values.length);
    values.forEach(
      (v, i) =>
        (array[i] = array instanceof BigInt64Array || array instanceof BigUint64Array ? BigInt(v) : v),
    );
    writeFileSync(`${base}.${part}`, new Uint8Array(array.buffer));
  };
  write('data', dataDtype, m.data);
  write('indices', indicesDtype, m.indices);
  write('indptr', indptrDtype, m.indptr);
  writeFileSync(
    `${base}.yaml`,
    `version: [1, 0]\ndata_dtype: ${dataDtype}\nindices_dtype: ${indicesDtype}\nindptr_dtype: ${indptrDtype}\n` +
      `shape: [${m.shape.join(', ')}]\nnnz: ${m.nnz ?? m.data.length}\n`,
  );
  return base;
}

/** [[1, 0, 2], [0, 0, 0], [0, 3, 0]] */
const GOOD: Csr = { shape: [3, 3], data: [1, 2, 3], indices: [0, 2, 1], indptr: [0, 2, 2, 3] };

/** Open descriptors of this process (Linux), to prove error paths close what they opened. */
function openFds(): number | undefined {
  return existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : undefined;
}

/** Opens and reads the whole matrix; resolves to the error it fails with. */
async function readError(base: string, extra: Record<string, unknown> = {}): Promise<unknown> {
  try {
    await readAll(await openSource('daf', { path: base, ...extra }), { overlap: 1 });
  } catch (error) {
    return error;
  }
  throw new Error(`${base} was read without error`);
}

describe('a CSR matrix whose files contradict its .yaml', () => {
  it.each([
    ['indptr not starting at 0', { ...GOOD, indptr: [1, 2, 2, 3] }, 'indptr', 0, 'starts at 1'],
    ['indptr not ending at nnz', { ...GOOD, indptr: [0, 2, 2, 2] }, 'indptr', 24, 'ends at 2'],
    ['a decreasing indptr', { ...GOOD, indptr: [0, 2, 1, 3] }, 'indptr', 16, 'decreases at row 1'],
    ['indptr beyond nnz', { ...GOOD, indptr: [0, 4294967295, 2, 3] }, 'indptr', 8, '4294967295'],
    [
      'a negative indptr',
      { ...GOOD, indptr: [0, -1, 2, 3], dtypes: ['float32', 'int32', 'int32'] as [DType, DType, DType] },
      'indptr',
      4,
      'indptr[1] = -1',
    ],
    ['a column index ≥ k', { ...GOOD, indices: [0, 3, 1] }, 'indices', 4, 'column index 3 out of [0, 3)'],
    ['a negative column index', { ...GOOD, indices: [0, 2, -1] }, 'indices', 8, 'column index -1'],
  ])('%s is FORMAT_INVALID naming the file and byte', async (name, m, part, offset, message) => {
    const base = writeCsr(name.replaceAll(' ', '-'), m);
    for (const chunkRows of [1, 2, 100]) {
      const error = await readError(base, { chunkRows });
      expect(error).toMatchObject({ code: 'FORMAT_INVALID', path: `${base}.${part}`, offset });
      expect((error as Error).message).toContain(message);
    }
  });

  it.each([
    ['data', { ...GOOD, data: [1, 2] }],
    ['indices', { ...GOOD, indices: [0, 2, 1, 1] }],
    ['indptr', { ...GOOD, indptr: [0, 2, 3] }],
  ])('a .%s of the wrong size is SIZE_MISMATCH naming it', async (part, m) => {
    const base = writeCsr(`size-${part}`, { ...m, nnz: 3 });
    expect(await readError(base)).toMatchObject({ code: 'SIZE_MISMATCH', path: `${base}.${part}` });
  });

  it('a missing part is INPUT_MISSING naming it', async () => {
    const base = writeCsr('missing', { ...GOOD, omit: ['indices'] });
    expect(await readError(base)).toMatchObject({ code: 'INPUT_MISSING', path: `${base}.indices` });
  });

  it('float indices are FORMAT_UNSUPPORTED', async () => {
    const base = writeCsr('float-indices', { ...GOOD, dtypes: ['float32', 'float32', 'int64'] });
    expect(await readError(base)).toMatchObject({ code: 'FORMAT_UNSUPPORTED', path: `${base}.yaml` });
  });

  it.runIf(openFds() !== undefined)('leaves no file open on any error path', async () => {
    const cases: Csr[] = [
      { ...GOOD, omit: ['indptr'] },
      { ...GOOD, data: [1, 2], nnz: 3 },
      { ...GOOD, indptr: [1, 2, 2, 3] },
      { ...GOOD, indptr: [0, 2, 1, 3] },
      { ...GOOD, indices: [0, 3, 1] },
    ];
    const before = openFds();
    for (const [i, m] of cases.entries()) await readError(writeCsr(`fd-${i}`, m), { chunkRows: 1 });
    expect(openFds()).toBe(before);
  });
});

describe('shapes too wide to densify', () => {
  it.each([
    ['columns', [12, MAX_TABLE_COLUMNS + 1]],
    ['vector', [12, SPARSE_MAX_WIDTH + 1]],
    ['columns', [12, 100_000_000]],
    ['vector', [12, 100_000_000]],
  ])('matrix: %s, shape %j is FORMAT_UNSUPPORTED before any part is opened', async (matrix, shape) => {
    // No .data/.indices/.indptr at all: the refusal comes from the .yaml alone.
    const base = writeCsr(`wide-${matrix}-${shape[1]}`, {
      ...GOOD,
      shape: shape as [number, number],
      omit: ['data', 'indices', 'indptr'],
    });
    const start = performance.now();
    expect(await readError(base, { matrix })).toMatchObject({
      code: 'FORMAT_UNSUPPORTED',
      path: `${base}.yaml`,
    });
    expect(performance.now() - start).toBeLessThan(2000);
  });

  it('a batch whose dense block exceeds SPARSE_BATCH_BYTES is PARAMS_INVALID with the chunkRows that fits', async () => {
    const k = 100_000;
    const base = writeCsr('big-batch', {
      shape: [1000, k],
      data: [],
      indices: [],
      indptr: new Array<number>(1001).fill(0),
      dtypes: ['float64', 'int32', 'int32'],
    });
    const fits = Math.floor(SPARSE_BATCH_BYTES / (k * 8)) - 1;
    const error = await readError(base, { matrix: 'vector' });
    expect(error).toMatchObject({ code: 'PARAMS_INVALID', hint: expect.stringContaining(`at most ${fits}`) });
    // A smaller chunkRows reads it (10 rows: 8 MB per batch).
    const batches = await readAll(await openSource('daf', { path: base, matrix: 'vector', chunkRows: 10 }), {
      overlap: 1,
    });
    expect(batches.reduce((n, b) => n + b.rows - b.history, 0)).toBe(1000);
  });
});

describe('dense daf arrays with huge declared shapes', () => {
  function writeDense(name: string, dtype: string, shape: number[], bytes: number): string {
    const base = join(dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${base}.yaml`, `version: [1, 0]\ndtype: ${dtype}\nshape: [${shape.join(', ')}]\n`);
    writeFileSync(`${base}.array`, new Uint8Array(bytes));
    return base;
  }

  it.each(['columns', 'vector'])(
    '[12, 100000000] with a small .array is SIZE_MISMATCH, fast (matrix: %s)',
    async (matrix) => {
      const base = writeDense(`dense-huge-${matrix}`, 'int8', [12, 100_000_000], 64);
      const start = performance.now();
      expect(await readError(base, { matrix })).toMatchObject({
        code: 'SIZE_MISMATCH',
        path: `${base}.array`,
      });
      expect(performance.now() - start).toBeLessThan(2000);
    },
  );

  it('shape products beyond 2^53 never match', async () => {
    const base = writeDense('dense-2-53', 'float64', [2 ** 40, 2 ** 40], 64);
    const error = await readError(base, { matrix: 'vector' });
    expect(error).toMatchObject({
      code: 'SIZE_MISMATCH',
      message: expect.stringContaining('more than 2^53'),
    });
  });

  it('more than MAX_TABLE_COLUMNS columns: refused as columns, read as matrix: vector', async () => {
    const k = MAX_TABLE_COLUMNS + 1;
    const base = writeDense('dense-wide', 'uint8', [2, k], 2 * k);
    expect(await readError(base)).toMatchObject({ code: 'FORMAT_UNSUPPORTED', path: `${base}.array` });
    const batches = await readAll(await openSource('daf', { path: base, matrix: 'vector' }));
    expect(batches[0].columns.value.width).toBe(k);
  });

  it.each([
    ['shape: [1e300, 2]', 'FORMAT_INVALID'],
    ['shape: [9007199254740993]', 'FORMAT_INVALID'],
  ])('%s in the .yaml is %s', async (line, code) => {
    const base = join(dir, `yaml-${code}-${line.length}`);
    writeFileSync(`${base}.yaml`, `version: [1, 0]\ndtype: float32\n${line}\n`);
    expect(await readError(base)).toMatchObject({ code, path: `${base}.yaml` });
  });

  it('a missing .yaml is INPUT_MISSING, a huge one FORMAT_INVALID', async () => {
    expect(await readError(join(dir, 'nothing-here'))).toMatchObject({ code: 'INPUT_MISSING' });
    const base = join(dir, 'huge-yaml');
    writeFileSync(`${base}.yaml`, `version: [1, 0]\n#${'x'.repeat(1 << 17)}\n`);
    expect(await readError(base)).toMatchObject({ code: 'FORMAT_INVALID', path: `${base}.yaml` });
  });
});

describe('checkIndptr and scatterRows', () => {
  const origin = {
    indptrPath: 'm.indptr',
    indicesPath: 'm.indices',
    firstRow: 10,
    indptrItemSize: 4,
    indicesItemSize: 2,
  };

  it('names the absolute row and byte of a bad indptr value', () => {
    expect(() => checkIndptr([3, 5, 4], 9, origin)).toThrow(
      expect.objectContaining({ code: 'FORMAT_INVALID', path: 'm.indptr', offset: 12 * 4 }),
    );
    expect(() => checkIndptr([3, 5, 10], 9, origin)).toThrow(
      expect.objectContaining({
        path: 'm.indptr',
        offset: 12 * 4,
        message: expect.stringContaining('indptr[12] = 10'),
      }),
    );
    expect(() => checkIndptr([0, 0, 9], 9, origin)).not.toThrow();
  });

  it('adds repeated column indices of a row, in order', () => {
    const dense = new Float32Array(4);
    scatterRows([5, 8, 9], [1, 1, 0, 1], Float32Array.from([0.5, 0.25, 7, -1]), dense, 2, 9);
    expect([...dense]).toEqual([7, 0.75, 0, -1]);
  });

  it('names the .indices file and byte of a bad column index', () => {
    expect(() =>
      scatterRows([5, 7], [0, 9], Float32Array.from([1, 2]), new Float32Array(2), 2, 9, origin),
    ).toThrow(expect.objectContaining({ code: 'FORMAT_INVALID', path: 'm.indices', offset: 6 * 2 }));
  });
});
