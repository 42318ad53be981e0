import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RegionWriter } from '../../src/io/region-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-rw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic bytes for region r, byte i. */
const byteAt = (r: number, i: number) => (r * 101 + i * 7 + (i >> 9)) & 0xff;

async function writeRegions(offsets: number[], sizes: number[], pieces: number[]) {
  const path = join(dir, `r-${offsets.join('-')}.bin`);
  const handle = await open(path, 'w+');
  const writer = await RegionWriter.open(handle, path, offsets);
  const scratch = new Uint8Array(Math.max(...pieces));
  const done = sizes.map(() => 0);
  // Pieces of varying length, regions interleaved, always from one reused scratch buffer.
  for (let k = 0; done.some((d, r) => d < sizes[r]); k++) {
    const r = k % sizes.length;
    const n = Math.min(pieces[k % pieces.length], sizes[r] - done[r]);
    for (let i = 0; i < n; i++) scratch[i] = byteAt(r, done[r] + i);
    await writer.append(r, scratch.subarray(0, n));
    scratch.fill(0xee);
    done[r] += n;
  }
  await writer.finish();
  await handle.close();
  return { bytes: new Uint8Array(readFileSync(path)), direct: writer.isDirect };
}

function expectRegions(bytes: Uint8Array, offsets: number[], sizes: number[]) {
  offsets.forEach((offset, r) => {
    const got = bytes.subarray(offset, offset + sizes[r]);
    const want = Uint8Array.from({ length: sizes[r] }, (_, i) => byteAt(r, i));
    expect(got.length).toBe(sizes[r]);
    expect(Buffer.compare(got, want)).toBe(0);
  });
}

describe('RegionWriter', () => {
  it('puts every region in place: many stages, partial tails, pieces of any size', async () => {
    const sizes = [3_000_001, 1_048_576, 17, 0];
    const offsets = [4096, 4096 + 3_002_368, 4096 + 3_002_368 + 1_048_576, 8_392_704];
    const { bytes } = await writeRegions(offsets, sizes, [65_536, 1, 700_001, 4096, 12_345]);
    expectRegions(bytes, offsets, sizes);
  });

  it('writes through the page cache when offsets are not 4 KiB aligned', async () => {
    const sizes = [1_500_000, 600_000];
    const offsets = [100, 1_500_100];
    const { bytes, direct } = await writeRegions(offsets, sizes, [262_144, 999]);
    expect(direct).toBe(false);
    expectRegions(bytes, offsets, sizes);
  });

  it('reports a failed write as IO_WRITE naming the output', async () => {
    const path = join(dir, 'ro.bin');
    writeFileSync(path, '');
    const handle = await open(path, 'r'); // read-only: buffered writes fail
    const writer = await RegionWriter.open(handle, path, [4096], '/out/final.h5');
    await writer.append(0, new Uint8Array(10));
    await expect(writer.finish()).rejects.toMatchObject({
      code: 'IO_WRITE',
      path: '/out/final.h5',
      offset: 4096,
    });
    await writer.abort();
    await handle.close();
  });
});
