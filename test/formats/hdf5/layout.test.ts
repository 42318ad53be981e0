/**
 * What sluice parses of an HDF5 file itself, checked: the superblock, object headers and
 * their continuation chains, the data layout and the version 1 B-tree chunk index. Each case
 * is a fixture with a few bytes changed in memory (offsets from h5py, noted per case), read
 * through a ReadAt over the bytes; each must be a SluiceError at the byte that is wrong.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.ts';
import { lookup3 } from '../../../src/formats/hdf5/checksum.ts';
import { checkChunkIndex } from '../../../src/formats/hdf5/chunk-index.ts';
import type { ReadAt } from '../../../src/formats/hdf5/layout.ts';
import { readDatasetStorage, readObjectHeader, readSuperblock } from '../../../src/formats/hdf5/layout.ts';
import { fixture } from '../../sources/source-harness.ts';

const FILES = {
  contiguous: readFileSync(fixture('hdf5/contiguous.h5')),
  chunked: readFileSync(fixture('hdf5/chunked.h5')),
  pyccapt: readFileSync(fixture('hdf5/pyccapt.h5')),
};

/** A ReadAt over `bytes`, as a file of that length. */
function readAtBytes(bytes: Uint8Array): ReadAt {
  return (offset, length) => Promise.resolve(bytes.slice(offset, offset + length));
}

/** `file` with `patch` applied to a copy. */
function patched(file: keyof typeof FILES, patch: (b: Uint8Array, dv: DataView) => void): Uint8Array {
  const bytes = Uint8Array.from(FILES[file]);
  patch(bytes, new DataView(bytes.buffer));
  return bytes;
}

async function expectError(
  promise: Promise<unknown>,
  code: string,
  offset: number | undefined,
  message: RegExp,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SluiceError);
  expect(error).toMatchObject({ code, offset, path: 'f.h5', message: expect.stringMatching(message) });
}

const superblockOf = (bytes: Uint8Array) => readSuperblock(readAtBytes(bytes), bytes.length, 'f.h5');

describe('the superblock', () => {
  it('reads versions 0 and 3 with their end-of-file address', async () => {
    expect(await superblockOf(FILES.contiguous)).toMatchObject({
      version: 0,
      sizeOfOffsets: 8,
      baseAddress: 0,
    });
    expect(await superblockOf(FILES.pyccapt)).toMatchObject({ version: 3, endOfFile: FILES.pyccapt.length });
  });

  it.each([
    ['no signature', patched('contiguous', (b) => (b[0] = 0)), 'FORMAT_INVALID', 0, /not an HDF5 file/],
    ['version 4', patched('contiguous', (b) => (b[8] = 4)), 'FORMAT_UNSUPPORTED', 8, /superblock version 4/],
    ['3-byte offsets', patched('contiguous', (b) => (b[13] = 3)), 'FORMAT_INVALID', 13, /sizes 3\/8/],
    [
      'B-tree K of 0',
      patched('contiguous', (b, dv) => dv.setUint16(16, 0, true)),
      'FORMAT_INVALID',
      16,
      /K of 0/,
    ],
    ['v3 checksum', patched('pyccapt', (b) => (b[20] ^= 1)), 'FORMAT_INVALID', 44, /checksum mismatch/],
    [
      'root object header past the end',
      patched('contiguous', (b, dv) => dv.setBigUint64(64, 1n << 40n, true)),
      'FORMAT_INVALID',
      64,
      /address 1099511627776 is past the end/,
    ],
  ])('%s', async (_, bytes, code, offset, message) => {
    await expectError(superblockOf(bytes), code, offset, message);
  });

  it('finds the superblock after a user block; addresses count from it, the end of file does not', async () => {
    const bytes = new Uint8Array(512 + FILES.contiguous.length);
    bytes.set(FILES.contiguous, 512);
    const dv = new DataView(bytes.buffer);
    dv.setBigUint64(512 + 24, 512n, true); // base address
    dv.setBigUint64(512 + 40, BigInt(bytes.length), true); // end of file, as h5py writes it
    const sb = await superblockOf(bytes);
    expect(sb).toMatchObject({ offset: 512, baseAddress: 512, endOfFile: bytes.length });
    const storage = await readDatasetStorage(readAtBytes(bytes), bytes.length, sb, SIGNAL_V1, 'f.h5');
    expect(storage).toMatchObject({ kind: 'contiguous', offset: 512 + 2048 });
  });

  it('a truncated file is SIZE_MISMATCH at its end-of-file address, as libhdf5 says', async () => {
    await expectError(
      superblockOf(FILES.contiguous.subarray(0, 52)),
      'SIZE_MISMATCH',
      40,
      /truncated.*116850.*52/,
    );
    await expectError(superblockOf(FILES.contiguous.subarray(0, 32)), 'FORMAT_INVALID', 32, /ends inside/);
  });
});

/** contiguous.h5: /signal's version 1 object header at byte 800; a NIL message at 928 (136 bytes). */
const SIGNAL_V1 = 800;

/** pyccapt.h5: /dld/x's version 2 ("OHDR") object header at byte 342. */
const X_V2 = 342;

async function headerOf(bytes: Uint8Array, address: number) {
  const sb = await superblockOf(bytes);
  return readObjectHeader(readAtBytes(bytes), bytes.length, sb, address, 'f.h5');
}

describe('object headers', () => {
  it('reads version 1 and version 2 headers', async () => {
    expect((await headerOf(FILES.contiguous, SIGNAL_V1)).map((m) => m.type)).toEqual([1, 3, 5, 8, 0]);
    expect((await headerOf(FILES.pyccapt, X_V2)).some((m) => m.type === 8)).toBe(true);
  });

  it('a continuation back to its own block is a loop, at the message pointing there', async () => {
    const bytes = patched('contiguous', (b, dv) => {
      dv.setUint16(928, 0x10, true); // the NIL message becomes a continuation …
      dv.setBigUint64(936, 816n, true); // … to the header's first block
      dv.setBigUint64(944, 256n, true);
    });
    await expectError(headerOf(bytes, SIGNAL_V1), 'FORMAT_INVALID', 936, /loops back to byte 816/);
  });

  it('a continuation past the end of the file', async () => {
    const bytes = patched('contiguous', (b, dv) => {
      dv.setUint16(928, 0x10, true);
      dv.setBigUint64(936, BigInt(b.length - 8), true);
      dv.setBigUint64(944, 64n, true);
    });
    await expectError(headerOf(bytes, SIGNAL_V1), 'FORMAT_INVALID', 936, /runs past the end of the file/);
  });

  it('a message longer than its block', async () => {
    const bytes = patched('contiguous', (b, dv) => dv.setUint16(930, 1000, true));
    await expectError(headerOf(bytes, SIGNAL_V1), 'FORMAT_INVALID', 930, /message of 1000 bytes overruns/);
  });

  it('a header size past the end of the file', async () => {
    const bytes = patched('contiguous', (b, dv) => dv.setUint32(SIGNAL_V1 + 8, 0xfffffff0, true));
    await expectError(headerOf(bytes, SIGNAL_V1), 'FORMAT_INVALID', SIGNAL_V1 + 8, /runs past the end/);
  });

  it('a changed byte in a version 2 header fails its checksum', async () => {
    const bytes = patched('pyccapt', (b) => (b[X_V2 + 30] ^= 0x40));
    // The header's first block ends at 610 (the next "OHDR"): its checksum is the last 4 bytes.
    await expectError(headerOf(bytes, X_V2), 'FORMAT_INVALID', 606, /checksum mismatch/);
  });

  it('a dataset whose contiguous storage runs past the end of the file', async () => {
    // /signal's layout message (version 3, contiguous) has its data at 904: address at 906.
    const bytes = patched('contiguous', (b, dv) => dv.setBigUint64(906, BigInt(b.length - 100), true));
    const sb = await superblockOf(bytes);
    await expectError(
      readDatasetStorage(readAtBytes(bytes), bytes.length, sb, SIGNAL_V1, 'f.h5'),
      'FORMAT_INVALID',
      904,
      /storage \[116750, 156774\) runs past the end of the file/,
    );
  });
});

/**
 * chunked.h5: /signal (5003 float64, chunks of 256, shuffle + gzip) has its object header at
 * 800 and a one-node chunk B-tree at 1400: 24 header bytes, then 20 entries of a 24-byte key
 * (size u32, filter mask u32, offsets u64 × 2) and an 8-byte child address, and a last key.
 */
const TREE = 1400;
const entry = (i: number) => TREE + 24 + 32 * i;

async function checkSignalIndex(bytes: Uint8Array): Promise<void> {
  const readAt = readAtBytes(bytes);
  const sb = await superblockOf(bytes);
  const storage = await readDatasetStorage(readAt, bytes.length, sb, 800, 'f.h5');
  if (storage.kind !== 'other' || !storage.chunks) throw new Error('no chunk index');
  expect(storage.chunks).toMatchObject({ address: TREE, dims: [256, 8], filters: [2, 1] });
  await checkChunkIndex(readAt, bytes.length, sb, storage.chunks, [5003], 'f.h5');
}

describe('the version 1 B-tree chunk index', () => {
  it('passes for the fixture', async () => {
    await expect(checkSignalIndex(FILES.chunked)).resolves.toBeUndefined();
  });

  it.each([
    [
      'a filter mask skipping gzip for a compressed chunk',
      (b: Uint8Array, dv: DataView) => dv.setUint32(entry(1) + 4, 0b10, true),
      entry(1) + 24,
      /chunk of 150 bytes, 2048 expected with filter mask 2/,
    ],
    [
      'a filter mask naming a third filter',
      (b: Uint8Array, dv: DataView) => dv.setUint32(entry(1) + 4, 0b100, true),
      entry(1) + 24,
      /filter mask 4 for 2 filters/,
    ],
    [
      'two chunks at one address',
      (b: Uint8Array, dv: DataView) => dv.setBigUint64(entry(1) + 24, 3496n, true),
      3496,
      /chunks at bytes 3496 and 3496 overlap/,
    ],
    [
      'a chunk outside the file',
      (b: Uint8Array, dv: DataView) => dv.setBigUint64(entry(1) + 24, BigInt(b.length - 10), true),
      entry(1) + 24,
      /outside the file/,
    ],
    [
      'a chunk offset off the chunk grid (h5-chunk-wrong.h5)',
      (b: Uint8Array, dv: DataView) => dv.setBigUint64(entry(20) + 8, 0x7b7b7b7bn, true),
      entry(20) + 8,
      /bad chunk offset 2071690107/,
    ],
    [
      'a chunk past the dataset’s end',
      (b: Uint8Array, dv: DataView) => dv.setBigUint64(entry(19) + 8, 5120n, true),
      entry(19) + 8,
      /bad chunk offset 5120/,
    ],
    [
      'keys out of order',
      (b: Uint8Array, dv: DataView) => dv.setBigUint64(entry(2) + 8, 256n, true),
      entry(2),
      /keys out of order/,
    ],
    [
      'a node that is its own child',
      (b: Uint8Array, dv: DataView) => {
        b[TREE + 5] = 1;
        dv.setBigUint64(entry(0) + 24, BigInt(TREE), true);
      },
      entry(0) + 24,
      /node at byte 1400 is reached twice/,
    ],
  ])('refuses %s', async (_, patch, offset, message) => {
    await expectError(checkSignalIndex(patched('chunked', patch)), 'FORMAT_INVALID', offset, message);
  });
});

describe('lookup3', () => {
  it.each([
    ['', 0, 0xdeadbeef],
    ['Four score and seven years ago', 0, 0x17770551],
    ['Four score and seven years ago', 1, 0xcd628161],
  ])('hashlittle(%j, %i) = %i', (text, init, hash) => {
    expect(lookup3(new TextEncoder().encode(text), init)).toBe(hash);
  });
});
