import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MappedFile } from '../../src/io/mapped-file.ts';
import {
  BACKENDS,
  GiB,
  MiB,
  createSparseFile,
  makeTempDir,
  openBackend,
  removeTempDir,
} from './io-helpers.ts';

/** Offsets past 2^31 and 2^32 catch any 32-bit size or offset on the way to the kernel. */
const SIZE = 5 * GiB + 12_345;

interface Probe {
  readonly name: string;
  readonly offset: number;
  readonly type: 'float64' | 'int32';
  readonly value: number;
}

const PROBES: readonly Probe[] = [
  { name: 'float64 ending at 2 GiB', offset: 2 * GiB - 8, type: 'float64', value: Math.PI },
  { name: 'int32 starting at 2 GiB', offset: 2 * GiB, type: 'int32', value: -123_456_789 },
  { name: 'float64 straddling 4 GiB', offset: 4 * GiB - 4, type: 'float64', value: -1.5e300 },
  { name: 'int32 past 4 GiB', offset: 4 * GiB + 4, type: 'int32', value: 2_000_000_001 },
  {
    name: 'float64 past 4 GiB, 8-aligned',
    offset: 4 * GiB + 4096 * 3 + 16,
    type: 'float64',
    value: 6.02214076e23,
  },
  { name: 'int32 near the end', offset: SIZE - 12, type: 'int32', value: 42 },
  { name: 'float64 at the very end', offset: SIZE - 8, type: 'float64', value: Number.MIN_VALUE },
];

function encode(probe: Probe): Buffer {
  const bytes = Buffer.alloc(probe.type === 'float64' ? 8 : 4);
  if (probe.type === 'float64') bytes.writeDoubleLE(probe.value);
  else bytes.writeInt32LE(probe.value);
  return bytes;
}

function decode(bytes: Buffer, at: number, type: Probe['type']): number {
  return type === 'float64' ? bytes.readDoubleLE(at) : bytes.readInt32LE(at);
}

let dir: string;
let path: string;

beforeAll(async () => {
  dir = await makeTempDir();
  path = join(dir, 'sparse-5g.bin');
  await createSparseFile(path, SIZE);
  const handle = await open(path, 'r+');
  for (const probe of PROBES) {
    const bytes = encode(probe);
    await handle.write(bytes, 0, bytes.length, probe.offset);
  }
  await handle.close();
});

afterAll(() => removeTempDir(dir));

describe.each(BACKENDS)('$title over a 5 GiB sparse file', ({ backend, skip }) => {
  let file: MappedFile;

  beforeAll(async () => {
    if (!skip) file = await openBackend(path, backend);
  });
  afterAll(() => file?.close());

  it.skipIf(skip)('knows the size beyond 4 GiB', () => {
    expect(file.size).toBe(SIZE);
  });

  it.skipIf(skip).each(PROBES)('reads the $name exactly', async ({ offset, type, value }) => {
    const range = await file.acquire(offset, type === 'float64' ? 8 : 4);
    expect(decode(range.bytes, 0, type)).toBe(value);
    range.release();
  });

  it.skipIf(skip)('reads a 16 MiB window straddling 4 GiB at an unaligned offset', async () => {
    const start = 4 * GiB - 8 * MiB + 3;
    const range = await file.acquire(start, 16 * MiB);
    for (const probe of PROBES.filter((p) => p.offset >= start && p.offset < start + 16 * MiB)) {
      expect(decode(range.bytes, probe.offset - start, probe.type)).toBe(probe.value);
    }
    expect(range.bytes[0]).toBe(0);
    expect(range.bytes[range.bytes.length - 1]).toBe(0);
    range.release();
  });

  it.skipIf(skip)('gives aligned float64 views of 8-aligned data past 4 GiB', async () => {
    const start = 4 * GiB + 4096 * 3;
    const range = await file.acquire(start, 4096);
    const view = new Float64Array(range.bytes.buffer, range.bytes.byteOffset, 512);
    expect(view[2]).toBe(6.02214076e23);
    expect(view[3]).toBe(0);
    range.release();
  });

  it.skipIf(skip)('reads more than 2 GiB in one acquire (split into several read calls)', async () => {
    const start = 2 * GiB - 1024;
    const length = 2 * GiB + 2048;
    const range = await file.acquire(start, length);
    expect(range.bytes.length).toBe(length);
    expect(decode(range.bytes, 1024 - 8, 'float64')).toBe(Math.PI);
    expect(decode(range.bytes, 1024, 'int32')).toBe(-123_456_789);
    expect(decode(range.bytes, length - 8, 'float64')).toBe(0);
    range.release();
  });

  it.skipIf(skip)('prefetches then acquires the last bytes of the file', async () => {
    file.prefetch(SIZE - 4096, 4096);
    const range = await file.acquire(SIZE - 4096, 4096);
    expect(decode(range.bytes, 4096 - 8, 'float64')).toBe(Number.MIN_VALUE);
    expect(decode(range.bytes, 4096 - 12, 'int32')).toBe(42);
    range.release();
  });

  it.skipIf(skip)('refuses one byte past the end', async () => {
    await expect(file.acquire(SIZE - 8, 9)).rejects.toMatchObject({
      code: 'IO_SHORT_READ',
      offset: SIZE,
      path,
    });
  });
});
