/**
 * The guarded h5wasm calls: a throw or an error stack from libhdf5 becomes one SluiceError
 * naming the file and dataset, with libhdf5's own words; lookups of names that are not there
 * stay "not found".
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.ts';
import { libraryError, loadHdf5Library, summarizeStack } from '../../../src/formats/hdf5/h5wasm-calls.ts';
import { withH5wasmStderr } from '../../../src/io/lazy.ts';
import { fixture } from '../../sources/source-harness.ts';

/** What libhdf5 printed for h5-chunk-wrong.h5 (abridged: #001–#014 are alike). */
const CHUNK_WRONG_STACK = `HDF5-DIAG: Error detected in HDF5 (2.0.0):
  #000: /__w/libhdf5-wasm/src/H5D.c line 1051 in H5Dread(): can't synchronously read data
    major: Dataset
    minor: Read failed
  #015: /__w/libhdf5-wasm/src/H5Dbtree.c line 647 in H5D__btree_decode_key(): bad coordinate offset
    major: Dataset
    minor: Bad value
`;

const site = { path: 'f.h5', dataset: '/d', doing: 'reading rows [0, 5) of' };

describe('libraryError', () => {
  it('says what libhdf5 said, outermost and innermost, naming file and dataset', () => {
    expect(summarizeStack(CHUNK_WRONG_STACK)).toBe(
      "libhdf5: can't synchronously read data … bad coordinate offset",
    );
    expect(libraryError(site, { threw: false, stack: CHUNK_WRONG_STACK })).toMatchObject({
      code: 'FORMAT_INVALID',
      path: 'f.h5',
      message:
        "f.h5: HDF5 library failed reading rows [0, 5) of /d: libhdf5: can't synchronously read data … bad coordinate offset",
    });
  });

  it.each([
    [
      'a filter plugin libhdf5 cannot find',
      {
        threw: false,
        stack: CHUNK_WRONG_STACK.replace('bad coordinate offset', "can't open directory (/lib/plugin)"),
      },
      'FORMAT_UNSUPPORTED',
      /can't open directory/,
    ],
    [
      'a batch over h5wasm’s memory',
      {
        threw: true,
        error: new Error(
          'Requested allocation of 3000000000 bytes exceeds maximum memory of 2147483648 bytes',
        ),
      },
      'RANGE_INVALID',
      /Requested allocation/,
    ],
    [
      'a stack overflow in libhdf5',
      { threw: true, error: new RangeError('Maximum call stack size exceeded') },
      'FORMAT_INVALID',
      /recursed without end/,
    ],
    [
      'h5wasm’s bare complaint',
      { threw: true, error: new Error('error - name not defined!') },
      'FORMAT_INVALID',
      /: error - name not defined!$/,
    ],
  ])('%s is %s', (_, attempt, code, message) => {
    const error = libraryError(site, attempt);
    expect(error).toBeInstanceOf(SluiceError);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });
});

describe('Hdf5Library', () => {
  it('turns a throw into a SluiceError and passes a SluiceError through', async () => {
    const library = await loadHdf5Library();
    expect(() =>
      library.call(site, () => {
        throw new Error('error - name not defined!');
      }),
    ).toThrow(expect.objectContaining({ code: 'FORMAT_INVALID', path: 'f.h5' }));
    const own = new SluiceError('COLUMN_UNKNOWN', 'no');
    expect(() =>
      library.call(site, () => {
        throw own;
      }),
    ).toThrow(own);
  });

  it('a file libhdf5 cannot open is FORMAT_INVALID with its words', async () => {
    const library = await loadHdf5Library();
    const path = join(tmpdir(), `sluice-not-hdf5-${process.pid}.h5`);
    writeFileSync(path, new Uint8Array(4096));
    try {
      expect(() => library.open(path)).toThrow(
        expect.objectContaining({
          code: 'FORMAT_INVALID',
          path,
          message: expect.stringMatching(
            /HDF5 library failed opening the file: libhdf5: unable to .*open file/,
          ),
        }),
      );
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('names that are not there are null: missing, or running through a dataset', async () => {
    const library = await loadHdf5Library();
    const path = fixture('hdf5/contiguous.h5');
    const file = library.open(path);
    try {
      expect(library.get(file, '/nope', path)).toBeNull();
      expect(library.get(file, '/signal/x', path)).toBeNull();
      expect(library.get(file, '/table/nope/x', path)).toBeNull();
      expect(library.get(file, '/table/a', path)).toBeInstanceOf(library.h5wasm.Dataset);
    } finally {
      library.close(file, path);
    }
  });

  it('what h5wasm prints meanwhile goes to the sink, not to stderr', async () => {
    const library = await loadHdf5Library();
    const printed: string[] = [];
    const file = withH5wasmStderr(
      (text) => printed.push(text),
      () => new library.h5wasm.File(fixture('hdf5/nope.h5'), 'r'),
    );
    expect(file.file_id).toBeLessThan(0n);
    expect(printed.join('')).toMatch(/^HDF5-DIAG: Error detected/);
  });
});
