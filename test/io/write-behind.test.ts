/** WriteBehind: bytes land in order whatever is pending, and a failed write fails the writer. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAtomicFile } from '../../src/io/atomic-file.ts';
import { WriteBehind } from '../../src/io/write-behind.ts';

describe('WriteBehind', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-write-behind-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([0, 100, 1 << 20])(
    'writes every piece in order (%i bytes pending, a datasync every 256)',
    async (pending) => {
      const file = await createAtomicFile(join(dir, `out-${pending}.bin`));
      const out = new WriteBehind(file, { maxPendingBytes: pending, syncEveryBytes: 256 });
      const pieces = Array.from({ length: 40 }, (_, i) => new Uint8Array(37 + i).fill(i));
      for (const piece of pieces) await out.write(piece);
      await out.drain();
      await file.commit();
      expect(readFileSync(file.path)).toEqual(Buffer.concat(pieces));
    },
  );

  it('a failed write fails the next write or the drain', async () => {
    const file = await createAtomicFile(join(dir, 'failed.bin'));
    const out = new WriteBehind(file, { maxPendingBytes: 1 << 20 });
    await file.abort();
    await out.write(new Uint8Array(10)).catch(() => undefined);
    await expect(
      (async () => {
        await out.write(new Uint8Array(10));
        await out.drain();
      })(),
    ).rejects.toThrow(/write after aborted/);
  });
});
