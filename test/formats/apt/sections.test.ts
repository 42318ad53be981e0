/**
 * The APT section table against files that lie: no sections, a section type twice, offsets
 * and sizes beyond the file (overflow-safe), no section that can be a column.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APT_HEADER_BYTES, APT_SECTION_HEADER_BYTES } from '../../../src/formats/apt/header.ts';
import { openSource, readAll, valuesOf } from '../../sources/source-harness.ts';

interface SectionSpec {
  readonly type: string;
  /** Float32 values, one per ion (one-to-one, fixed size) unless overridden. */
  readonly values?: number[];
  readonly relationship?: number;
  readonly headerSize?: number;
  readonly byteCount?: bigint;
}

/** An APT6 file of `ions` ions and the given sections (float32, width 1). */
function aptBytes(ions: number, sections: readonly SectionSpec[], headerSize = APT_HEADER_BYTES): Buffer {
  const header = Buffer.alloc(APT_HEADER_BYTES);
  header.write('APT\0', 0, 'latin1');
  header.writeInt32LE(headerSize, 4);
  header.writeInt32LE(2, 8);
  header.writeBigUInt64LE(BigInt(ions), 532);
  const parts = [header];
  for (const s of sections) {
    const values = s.values ?? Array.from({ length: ions }, (_, i) => i + 0.5);
    const data = Buffer.from(new Float32Array(values).buffer);
    const sec = Buffer.alloc(APT_SECTION_HEADER_BYTES);
    sec.write('SEC\0', 0, 'latin1');
    sec.writeInt32LE(s.headerSize ?? APT_SECTION_HEADER_BYTES, 4);
    sec.writeInt32LE(2, 8);
    sec.write(s.type, 12, 'utf16le');
    sec.writeInt32LE(1, 76);
    sec.writeUInt32LE(s.relationship ?? 1, 80);
    sec.writeUInt32LE(1, 84); // fixed size
    sec.writeUInt32LE(3, 88); // float
    sec.writeInt32LE(32, 92);
    sec.writeInt32LE(4, 96);
    sec.writeBigInt64LE(BigInt(values.length), 132);
    sec.writeBigInt64LE(s.byteCount ?? BigInt(data.length), 140);
    parts.push(sec, data);
  }
  return Buffer.concat(parts);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-apt-sections-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function writeApt(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

async function openError(path: string): Promise<unknown> {
  return openSource('apt', { path }).then(
    async (source) => {
      await source.close();
      throw new Error('opened without error');
    },
    (error: unknown) => error,
  );
}

describe('APT section tables that lie', () => {
  it('a header whose size runs past the file: FORMAT_INVALID, no sections', async () => {
    const path = await writeApt('header-past-end.apt', aptBytes(3, [{ type: 'Mass' }], 1 << 30));
    expect(await openError(path)).toMatchObject({
      code: 'FORMAT_INVALID',
      path,
      message: expect.stringContaining(`its header claims ${1 << 30} bytes`),
    });
  });

  it('a repeated section type is refused even when one copy could not be a column', async () => {
    const path = await writeApt(
      'dup-unreadable.apt',
      aptBytes(3, [{ type: 'Mass' }, { type: 'Mass', relationship: 3 }]),
    );
    expect(await openError(path)).toMatchObject({ code: 'FORMAT_INVALID', path, offset: 540 + 148 + 12 });
  });

  it.each<[string, SectionSpec]>([
    ['byte-count', { type: 'Mass', byteCount: 2n ** 53n - 1n }],
    ['header-size', { type: 'Mass', headerSize: 2 ** 31 - 1 }],
  ])('a section whose %s runs past the file is FORMAT_INVALID at the section', async (name, section) => {
    const path = await writeApt(`past-end-${name}.apt`, aptBytes(3, [section]));
    expect(await openError(path)).toMatchObject({ code: 'FORMAT_INVALID', path, offset: 540 });
  });

  it('no section that can be a column: FORMAT_UNSUPPORTED saying why', async () => {
    const path = await writeApt('none-readable.apt', aptBytes(3, [{ type: 'Mass', relationship: 3 }]));
    expect(await openError(path)).toMatchObject({
      code: 'FORMAT_UNSUPPORTED',
      path,
      hint: expect.stringContaining("'Mass': relationship type 3"),
    });
  });

  it("a section named '__proto__' is still a column", async () => {
    const path = await writeApt(
      'proto.apt',
      aptBytes(3, [{ type: '__proto__', values: [1, 2, 3] }, { type: 'Mass' }]),
    );
    const [batch] = await readAll(await openSource('apt', { path }));
    expect(Object.keys(batch.columns)).toEqual(['__proto__', 'm/n (Da)']);
    expect(Object.hasOwn(batch.columns, '__proto__')).toBe(true);
    expect(valuesOf(batch.columns['__proto__'].data)).toEqual([1, 2, 3]);
  });
});
