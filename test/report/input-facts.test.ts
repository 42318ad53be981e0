import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_END_BYTES, readInputFacts } from '../../src/report/input-facts.ts';

const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
};

function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

describe('an input file’s facts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-facts-'));

  it('hashes a file of up to 2 MiB whole: sha256sum’s value', async () => {
    const data = bytes(2 * FINGERPRINT_END_BYTES, 1);
    writeFileSync(join(dir, 'small.bin'), data);
    const facts = await readInputFacts(join(dir, 'small.bin'));
    expect(facts).toMatchObject({ size: data.length, whole: true, sha256: sha256(data) });
    expect(facts?.modified).toBeInstanceOf(Date);
    writeFileSync(join(dir, 'empty.bin'), '');
    expect((await readInputFacts(join(dir, 'empty.bin')))?.sha256).toBe(sha256(new Uint8Array(0)));
  });

  it('fingerprints a larger file by its size, first MiB and last MiB', async () => {
    const data = bytes(3 * FINGERPRINT_END_BYTES + 5, 2);
    writeFileSync(join(dir, 'large.bin'), data);
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(data.length));
    const expected = sha256(
      size,
      data.subarray(0, FINGERPRINT_END_BYTES),
      data.subarray(-FINGERPRINT_END_BYTES),
    );
    expect(await readInputFacts(join(dir, 'large.bin'))).toMatchObject({ whole: false, sha256: expected });
    // A byte changed in the middle is not seen; one at either end, or one more byte, is.
    const middle = Buffer.from(data);
    middle[FINGERPRINT_END_BYTES + 10] ^= 1;
    writeFileSync(join(dir, 'middle.bin'), middle);
    expect((await readInputFacts(join(dir, 'middle.bin')))?.sha256).toBe(expected);
    const tail = Buffer.from(data);
    tail[tail.length - 1] ^= 1;
    writeFileSync(join(dir, 'tail.bin'), tail);
    expect((await readInputFacts(join(dir, 'tail.bin')))?.sha256).not.toBe(expected);
    writeFileSync(
      join(dir, 'longer.bin'),
      Buffer.concat([data.subarray(0, data.length - 1), data.subarray(-2)]),
    );
    expect((await readInputFacts(join(dir, 'longer.bin')))?.sha256).not.toBe(expected);
  });

  it('gives nothing for a file it cannot read or a directory', async () => {
    expect(await readInputFacts(join(dir, 'missing.bin'))).toBeUndefined();
    expect(await readInputFacts(dir)).toBeUndefined();
  });
});
