/**
 * NPY inputs: the fixtures and reproducers, synthetic valid files of every dtype, order, shape
 * and version sluice reads, header edits (huge, negative, non-integer shapes; wrong, refused and
 * structured dtypes; wrong keys, versions and header lengths; broken syntax) and byte mutations.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutateBytes, writeInt } from './byte-mutations.ts';
import type { FuzzInput, InputGenerator } from './fuzz-input.ts';
import { chunkRowsFor } from './fuzz-input.ts';
import { npyExpectation } from './npy-reference.ts';
import type { Rng } from './rng.ts';

const FIXTURE_DIRS = [
  'test/fixtures/npy',
  'test/fixtures/reliability',
  'test/fixtures/spectrum-average',
  'test/fixtures/fuzz',
];

function loadBases(): { name: string; bytes: Uint8Array }[] {
  const bases: { name: string; bytes: Uint8Array }[] = [];
  for (const dir of FIXTURE_DIRS) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.npy'));
    } catch {
      continue; // a folder not there yet (test/fixtures/reliability)
    }
    for (const name of names.sort())
      bases.push({ name: join(dir, name), bytes: new Uint8Array(readFileSync(join(dir, name))) });
  }
  return bases;
}

/** A complete .npy: magic, version, header length, the header padded to 64 bytes, the data. */
export function npyFile(major: number, header: string, data: Uint8Array, pad = true): Uint8Array {
  const start = major === 1 ? 10 : 12;
  let h = header;
  if (pad) {
    const total = start + h.length + 1;
    h += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  }
  const headerBytes =
    major === 3 ? new TextEncoder().encode(h) : Uint8Array.from(h, (c) => c.charCodeAt(0) & 0xff);
  const out = new Uint8Array(start + headerBytes.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  writeInt(out, 8, major === 1 ? 2 : 4, BigInt(headerBytes.length), true);
  out.set(headerBytes, start);
  out.set(data, start + headerBytes.length);
  return out;
}

function dictText(descr: string, fortran: string, shape: string): string {
  return `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
}

const SIMPLE = [
  '|b1',
  '|i1',
  '|u1',
  '<i2',
  '>i2',
  '<u2',
  '>u2',
  '<i4',
  '>i4',
  '<u4',
  '>u4',
  '<i8',
  '>i8',
  '<u8',
  '>u8',
  '<f4',
  '>f4',
  '<f8',
  '>f8',
];
const STRUCTS = [
  ["[('a', '<f4'), ('b', '>i2')]", 6],
  ["[('t', '<f8'), ('xyz', '<f4', (3,)), ('id', '<u2')]", 22],
  ["[('a', '|u1'), ('', '|V7'), ('b', '<f8')]", 16],
  ["[('ok', '|b1'), ('v', '>u8')]", 9],
] as const;

/** Values worth having among the random bytes: NaN, ±∞, −0, extremes, denormals. */
function specialBytes(rng: Rng, size: number, kind: string): Uint8Array {
  const b = new Uint8Array(size);
  const view = new DataView(b.buffer);
  const little = rng.bool();
  if (kind === 'f' && size === 8)
    view.setFloat64(
      0,
      rng.pick([NaN, Infinity, -Infinity, -0, 5e-324, 1.7976931348623157e308, -1e308]),
      little,
    );
  else if (kind === 'f' && size === 4)
    view.setFloat32(0, rng.pick([NaN, Infinity, -Infinity, -0, 1e-45, 3.4e38]), little);
  else b.fill(rng.pick([0x00, 0xff, 0x7f, 0x80]));
  if (rng.bool(0.3)) b[rng.int(size)] = rng.pick([0x80, 0x7f]);
  return b;
}

function randomData(rng: Rng, items: number, itemsize: number, kind: string): Uint8Array {
  const data = rng.bytes(items * itemsize);
  for (let i = 0; i < items; i++)
    if (rng.bool(0.05)) data.set(specialBytes(rng, itemsize, kind), i * itemsize);
  return data;
}

/** A valid file of a random dtype, order, shape and version. */
function synthetic(rng: Rng): { bytes: Uint8Array; what: string } {
  const major = rng.weighted([
    [6, 1],
    [2, 2],
    [2, 3],
  ] as const);
  const rows = rng.pick([0, 1, 2, 3, 7, 64, 100, 1000, rng.int(3000)]);
  if (rng.bool(0.2)) {
    const [descr, itemsize] = rng.pick(STRUCTS);
    const header = dictText(descr, 'False', `(${rows},)`);
    return {
      bytes: npyFile(major, header, randomData(rng, rows, itemsize, 'u')),
      what: `synthetic v${major} ${descr} (${rows},)`,
    };
  }
  const descr = rng.pick(SIMPLE);
  const size = Number(descr.slice(2));
  const twoD = rng.bool(0.4);
  const k = twoD ? rng.pick([0, 1, 2, 3, 5, 17]) : 1;
  const shape = twoD ? `(${rows}, ${k})` : `(${rows},)`;
  const fortran = rng.bool(0.4) ? 'True' : 'False';
  const header = dictText(`'${descr}'`, fortran, shape);
  return {
    bytes: npyFile(major, header, randomData(rng, rows * k, size, descr[1])),
    what: `synthetic v${major} ${descr} ${shape} fortran=${fortran}`,
  };
}

const SHAPES = [
  '(4294967296, 4294967296)',
  '(3037000500, 3037000500)',
  '(1, 50000000)',
  '(50000000, 1)',
  '(0, 50000000)',
  '(12, 100000000)',
  '(0,)',
  '()',
  '(-1,)',
  '(-5, 3)',
  '(9223372036854775808,)',
  '(18446744073709551616,)',
  '(1000000000000000000000000000000,)',
  '(2, 3, 4)',
  '(1.5,)',
  "('a',)",
  '(True,)',
  '[10]',
  '10',
  'None',
  '(2**31,)',
];
const DESCRS = [
  "'<f8'",
  "'>f8'",
  "'|b1'",
  "'<f2'",
  "'<c16'",
  "'|O'",
  "'<U3'",
  "'|S4'",
  "'<M8[s]'",
  "'|V8'",
  "'<i8'",
  "'>u8'",
  "'float64'",
  "'d'",
  "'?'",
  "'<f8 '",
  "''",
  "'x'",
  "'<f16'",
  "'<i3'",
  "'|f8'",
  '5',
  'None',
  "[('a', '<f4'), ('b', '<i4')]",
  "[('a', '<f4'), ('a', '<i4')]",
  "[('', '|V4'), ('x', '<f8')]",
  "[('xyz', '<f4', (3,))]",
  "[('xyz', '<f4', (2147483648,))]",
  "[('p', [('q', '<f4')])]",
  '[]',
];
const FORTRANS = ['True', 'False', '1', '0', "'True'", 'None'];

/** The header text of a base file, to edit. */
function headerOf(bytes: Uint8Array): { major: number; text: string; data: Uint8Array } | undefined {
  if (bytes.length < 12 || bytes[0] !== 0x93) return undefined;
  const major = bytes[6];
  const start = major === 1 ? 10 : 12;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (start + hlen > bytes.length || ![1, 2, 3].includes(major)) return undefined;
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + hlen));
  return { major, text: text.trim(), data: bytes.subarray(start + hlen) };
}

function replaceEntry(text: string, key: string, value: string): string {
  const re = new RegExp(`'${key}':\\s*(\\([^)]*\\)|\\[.*\\](?=,\\s*')|'[^']*'|\\w+)`);
  return re.test(text) ? text.replace(re, `'${key}': ${value}`) : text;
}

function headerEdit(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; what: string } | undefined {
  const h = headerOf(bytes);
  if (!h) return undefined;
  let { text, data } = h;
  let major = h.major;
  const edits: string[] = [];
  const kind = rng.weighted([
    [4, 'shape'],
    [3, 'descr'],
    [1, 'fortran'],
    [1, 'keys'],
    [1, 'syntax'],
    [1, 'version'],
    [2, 'hlen'],
  ] as const);
  if (kind === 'shape') text = replaceEntry(text, 'shape', rng.pick(SHAPES));
  if (kind === 'descr') text = replaceEntry(text, 'descr', rng.pick(DESCRS));
  if (kind === 'fortran') text = replaceEntry(text, 'fortran_order', rng.pick(FORTRANS));
  if (kind === 'keys') {
    text = rng.pick([
      text.replace(/'fortran_order':\s*\w+,?\s*/, ''),
      text.replace(/\}\s*$/, " 'extra': 1, }"),
      text.replace(/\{/, "{'descr': '<i1', "),
      text.replace(/'shape'/, "'Shape'"),
      '{}',
      '[]',
    ]);
  }
  if (kind === 'syntax') {
    text = rng.pick([
      text.replace(/\}\s*$/, ''),
      text.replace(/'/, ''),
      text.replace(/:/g, '='),
      text + ' # comment',
      text.replace(/\(/, '(0x10, '),
      text + '\u0000',
      text.replace(/ /g, '\n'),
      text.replace(/\)/, ',,)'),
    ]);
  }
  if (kind === 'version') major = rng.pick([1, 2, 3]);
  edits.push(kind);
  if (rng.bool(0.3)) {
    const k = rng.int(3);
    data =
      k === 0
        ? data.subarray(0, rng.int(data.length + 1))
        : k === 1
          ? rng.bytes(rng.pick([0, 8, 64, 4096]))
          : data;
    edits.push(`data ${data.length}B`);
  }
  let out = npyFile(major, text, data, rng.bool(0.9));
  if (kind === 'hlen') {
    out = Uint8Array.from(bytes);
    const value = rng.pick([
      0n,
      1n,
      9n,
      0xffffn,
      0xffffffffn,
      BigInt(bytes.length),
      BigInt(bytes.length - 9),
    ]);
    const width = rng.pick([2, 4]);
    writeInt(out, 8, width, value + BigInt(rng.pick([0, 1, -1, 16])), true);
    edits.push(`hlen${width * 8}=${value}`);
    if (rng.bool(0.3)) out[6] = rng.pick([0, 1, 2, 3, 4, 255]);
  }
  return { bytes: out, what: `header ${edits.join(' ')}: ${text.slice(0, 120)}` };
}

export function npyGenerator(): InputGenerator {
  const bases = loadBases();
  return (rng, index): FuzzInput => {
    const strategy = rng.weighted([
      [3, 'bytes'],
      [3, 'header'],
      [3, 'synthetic'],
      [1, 'base'],
    ] as const);
    let base = 'synthetic';
    let bytes: Uint8Array;
    let what: string;
    if (strategy === 'synthetic' || bases.length === 0) {
      ({ bytes, what } = synthetic(rng));
      if (rng.bool(0.15)) {
        const m = mutateBytes(rng, bytes, 128, 1);
        [bytes, what] = [m.bytes, `${what} + ${m.what}`];
      }
    } else {
      const b = rng.pick(bases);
      base = b.name;
      if (strategy === 'base') [bytes, what] = [b.bytes, 'as is'];
      else {
        const edited = strategy === 'header' ? headerEdit(rng, b.bytes) : undefined;
        const m = edited ?? mutateBytes(rng, b.bytes, 128);
        [bytes, what] = [m.bytes, m.what];
      }
    }
    const chunkRows = chunkRowsFor(rng, bytes.length);
    return {
      format: 'npy',
      index,
      base,
      mutation: what,
      files: { 'input.npy': bytes },
      read: { file: 'input.npy', source: { type: 'npy', chunkRows } },
      expect: npyExpectation(bytes),
    };
  };
}
