import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WriteBehind } from '../../src/io/write-behind.ts';

const dir = mkdtempSync(join(tmpdir(), 'sluice-wb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WriteBehind', () => {
  it('writes copies at their positions, in any order, with a small in-flight bound', async () => {
    const path = join(dir, 'a.bin');
    const handle = await open(path, 'w+');
    const expected = new Uint8Array(64 * 97);
    const writer = new WriteBehind(handle, path, 300);
    const scratch = new Uint8Array(97);
    // Blocks in a scrambled order, each from one scratch buffer overwritten right after the call.
    for (let k = 0; k < 64; k++) {
      const block = (k * 37) % 64;
      for (let i = 0; i < 97; i++) scratch[i] = (block * 31 + i) & 0xff;
      expected.set(scratch, block * 97);
      await writer.write(scratch, block * 97);
      scratch.fill(0);
    }
    await writer.flush();
    await handle.close();
    expect(new Uint8Array(readFileSync(path))).toEqual(expected);
  });

  it('reports a failed write as IO_WRITE with the path and offset', async () => {
    const path = join(dir, 'b.bin');
    writeFileSync(path, '');
    const handle = await open(path, 'r'); // read-only: every write fails
    const writer = new WriteBehind(handle, path);
    await writer.write(new Uint8Array(10), 4096);
    await expect(writer.flush()).rejects.toMatchObject({ code: 'IO_WRITE', path, offset: 4096 });
    await expect(writer.write(new Uint8Array(1), 0)).rejects.toMatchObject({ code: 'IO_WRITE' });
    await handle.close();
  });
});
