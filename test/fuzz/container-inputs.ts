/**
 * Inputs of the formats with a structure of headers and offsets, APT6 and HDF5: byte mutations
 * aimed at that structure (APT's file and section headers, found by their "SEC\0" magic; HDF5's
 * superblock and every 8-byte-aligned word, where addresses and sizes live), truncations, and
 * whole sections duplicated or removed. No cheap reference exists, so a successful read must be
 * consistent (counts add up to rows × width); committed h5py goldens are not needed here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutateBytes, writeInt } from './byte-mutations.ts';
import type { FuzzInput, InputGenerator, SourceRef } from './fuzz-input.ts';
import { unreferencedRead } from './fuzz-input.ts';
import type { Rng } from './rng.ts';

interface Base {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Source params (type, dataset, …) this file is read with; one is picked per input. */
  readonly reads: readonly SourceRef[];
}

function load(name: string, reads: SourceRef[]): Base[] {
  return existsSync(name) ? [{ name, bytes: new Uint8Array(readFileSync(name)), reads }] : [];
}

function listed(dir: string, ext: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.endsWith(ext))
        .sort()
        .map((n) => join(dir, n))
    : [];
}

/** Offsets of "SEC\0": the APT6 section headers. */
function sectionOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (bytes[i] === 0x53 && bytes[i + 1] === 0x45 && bytes[i + 2] === 0x43 && bytes[i + 3] === 0)
      out.push(i);
  }
  return out;
}

function splice(bytes: Uint8Array, at: number, remove: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, at));
  out.set(insert, at);
  out.set(bytes.subarray(at + remove), at + insert.length);
  return out;
}

const EDGES = [
  0n,
  1n,
  -1n,
  2n,
  3n,
  4n,
  5n,
  8n,
  64n,
  0x7fffffffn,
  0xffffffffn,
  2n ** 32n,
  2n ** 53n,
  2n ** 63n - 1n,
  2n ** 64n - 1n,
];

function aptEdit(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; what: string } {
  const sections = sectionOffsets(bytes);
  const kind = rng.weighted([
    [5, 'field'],
    [1, 'dup'],
    [1, 'drop'],
    [1, 'rename'],
  ] as const);
  if (sections.length === 0 || kind === 'field') {
    const at = sections.length && rng.bool(0.7) ? rng.pick(sections) : 0;
    const span = at === 0 ? 540 : 148;
    const width = rng.pick([4, 8]);
    const field = at + rng.int(span / 4) * 4;
    const out = Uint8Array.from(bytes);
    const value = rng.pick([...EDGES, BigInt(bytes.length), BigInt(rng.int(bytes.length))]);
    writeInt(out, field, width, value, true);
    return {
      bytes: out,
      what: `int${width * 8}le@${field}=${value} (${at === 0 ? 'file' : `section@${at}`} header)`,
    };
  }
  const i = rng.int(sections.length);
  const [from, to] = [sections[i], sections[i + 1] ?? bytes.length];
  if (kind === 'dup')
    return { bytes: splice(bytes, to, 0, bytes.slice(from, to)), what: `duplicated section@${from}` };
  if (kind === 'drop')
    return { bytes: splice(bytes, from, to - from, new Uint8Array(0)), what: `removed section@${from}` };
  // rename: another section's type name (UTF-16, after the magic and two int32) over this one's
  const other = rng.pick(sections);
  const out = Uint8Array.from(bytes);
  out.set(bytes.slice(other + 12, other + 12 + 64), from + 12);
  return { bytes: out, what: `section@${from} renamed as section@${other}` };
}

function hdf5Edit(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; what: string } {
  const kind = rng.weighted([
    [4, 'word'],
    [2, 'truncate'],
    [3, 'bytes'],
  ] as const);
  if (kind === 'truncate') {
    const length = rng.pick([
      32,
      52,
      96,
      512,
      2048,
      rng.int(bytes.length),
      bytes.length - rng.between(1, 64),
    ]);
    return { bytes: bytes.slice(0, Math.max(0, Math.min(length, bytes.length))), what: `truncate@${length}` };
  }
  if (kind === 'bytes') return mutateBytes(rng, bytes, 96, 3);
  // Addresses, lengths and sizes are 8-byte words in these files (offset/length size 8).
  const out = Uint8Array.from(bytes);
  const words: string[] = [];
  for (let n = rng.between(1, 2); n > 0; n--) {
    const at = rng.int(Math.floor(out.length / 8)) * 8;
    const value = rng.pick([
      ...EDGES,
      BigInt(out.length),
      BigInt(out.length - 8),
      BigInt(rng.int(out.length)),
    ]);
    const width = rng.pick([8, 8, 4, 2]);
    writeInt(out, at, width, value, true);
    words.push(`int${width * 8}le@${at}=${value}`);
  }
  return { bytes: out, what: words.join(' ') };
}

function containerGenerator(format: 'apt' | 'hdf5', bases: () => Base[]): () => InputGenerator {
  return () => {
    const all = bases();
    const ext = format === 'apt' ? 'apt' : 'h5';
    return (rng, index): FuzzInput => {
      const b = rng.pick(all);
      const read = rng.pick(b.reads);
      let bytes = b.bytes;
      let what = 'as is';
      if (rng.bool(0.9)) ({ bytes, what } = format === 'apt' ? aptEdit(rng, bytes) : hdf5Edit(rng, bytes));
      if (rng.bool(0.2)) {
        const m = mutateBytes(rng, bytes, 0, 1);
        [bytes, what] = [m.bytes, `${what} ${m.what}`];
      }
      return unreferencedRead(rng, { format, index, base: b.name, what, bytes, ext }, read);
    };
  };
}

const apt = (extra: Record<string, unknown> = {}): SourceRef => ({ type: 'apt', ...extra });
const h5 = (extra: Record<string, unknown>): SourceRef => ({ type: 'hdf5', ...extra });

export const containerGenerators = {
  apt: containerGenerator('apt', () =>
    [...listed('test/fixtures/apt', '.apt'), ...listed('test/fixtures/reliability', '.apt')].flatMap((name) =>
      load(name, [apt(), apt(), apt({ columns: ['m/n (Da)'] })]),
    ),
  ),
  hdf5: containerGenerator('hdf5', () => [
    ...load('test/fixtures/hdf5/chunked.h5', [h5({ dataset: '/signal' }), h5({ group: '/table' })]),
    ...load('test/fixtures/hdf5/contiguous.h5', [
      h5({ dataset: '/signal' }),
      h5({ dataset: '/be' }),
      h5({ dataset: '/matrix' }),
      h5({ group: '/table' }),
    ]),
    ...load('test/fixtures/hdf5/pyccapt.h5', [h5({ layout: 'pyccapt-raw' })]),
    ...load(
      'test/fixtures/fuzz/bases.h5',
      ['/g', '/s', '/k', '/b', '/m', '/u', '/c'].map((d) => h5({ dataset: d })).concat(h5({ group: '/grp' })),
    ),
    ...listed('test/fixtures/reliability', '.h5').flatMap((name) => load(name, [h5({ dataset: '/d' })])),
  ]),
};
