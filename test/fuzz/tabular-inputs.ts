/**
 * Inputs of the formats decoded front to back, Parquet, Arrow IPC and CSV: DuckDB's, apache-arrow's
 * and pandas' fixtures (test/fixtures/tabular) with their structure hit where it lives (Parquet's
 * footer at the end, Arrow's schema and message headers, the footer of its file format) and
 * anywhere else, truncated, or for CSV with quotes, delimiters and newlines put in. No cheap
 * reference exists for a mutated file, so a successful read must be consistent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mutateBytes, writeInt } from './byte-mutations.ts';
import type { FuzzInput, InputGenerator, SourceRef } from './fuzz-input.ts';
import { unreferencedRead } from './fuzz-input.ts';
import type { Rng } from './rng.ts';

const DIR = 'test/fixtures/tabular';

interface Base {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly reads: readonly SourceRef[];
}

function load(file: string, reads: SourceRef[], maxLines?: number): Base[] {
  const name = `${DIR}/${file}`;
  if (!existsSync(name)) return [];
  let bytes = new Uint8Array(readFileSync(name));
  if (maxLines !== undefined) {
    // A few hundred CSV rows are enough to hit every path, and keep each input fast.
    let lines = 0;
    let end = 0;
    while (end < bytes.length && lines < maxLines) if (bytes[end++] === 0x0a) lines++;
    bytes = bytes.slice(0, end);
  }
  return [{ name, bytes, reads }];
}

/** Edits aimed at a region [from, to) of the file: words set to edge values, bytes smashed. */
function editRegion(
  rng: Rng,
  bytes: Uint8Array,
  from: number,
  to: number,
): { bytes: Uint8Array; what: string } {
  const out = Uint8Array.from(bytes);
  const edits: string[] = [];
  for (let n = rng.between(1, 3); n > 0; n--) {
    const at = from + rng.int(Math.max(1, to - from));
    if (rng.bool(0.5) && at + 4 <= out.length) {
      const value = rng.pick([
        0n,
        1n,
        0xffn,
        0x7fffffffn,
        0xffffffffn,
        BigInt(out.length),
        BigInt(rng.int(out.length)),
      ]);
      writeInt(out, at, 4, value, true);
      edits.push(`int32le@${at}=${value}`);
    } else if (at < out.length) {
      out[at] = rng.int(256);
      edits.push(`byte@${at}=${out[at]}`);
    }
  }
  return { bytes: out, what: edits.join(' ') };
}

function truncate(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; what: string } {
  const length = rng.pick([0, 4, 8, 12, rng.int(bytes.length), bytes.length - rng.between(1, 64)]);
  return { bytes: bytes.slice(0, Math.max(0, length)), what: `truncate@${length}` };
}

/** Parquet keeps its structure in the footer: "…footer, int32 length, PAR1". */
function parquetEdit(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; what: string } {
  const kind = rng.weighted([
    [5, 'footer'],
    [2, 'anywhere'],
    [1, 'truncate'],
  ] as const);
  if (kind === 'truncate') return truncate(rng, bytes);
  if (kind === 'anywhere') return mutateBytes(rng, bytes, 0, 3);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const footer = view.getUint32(bytes.length - 8, true);
  return editRegion(rng, bytes, Math.max(0, bytes.length - 8 - footer), bytes.length);
}

/** Arrow: the schema and first message headers at the start, the file format's footer at the end. */
function arrowEdit(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; what: string } {
  const kind = rng.weighted([
    [3, 'head'],
    [2, 'tail'],
    [2, 'anywhere'],
    [1, 'truncate'],
  ] as const);
  if (kind === 'truncate') return truncate(rng, bytes);
  if (kind === 'anywhere') return mutateBytes(rng, bytes, 0, 3);
  if (kind === 'head') return editRegion(rng, bytes, 0, Math.min(bytes.length, 1024));
  return editRegion(rng, bytes, Math.max(0, bytes.length - 512), bytes.length);
}

const CSV_PIECES = [
  '"',
  ',',
  '\n',
  '\r\n',
  '\t',
  '""',
  'nan',
  '-',
  '1e999',
  '\uFEFF',
  '9223372036854775808',
  'true',
];

function csvEdit(rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; what: string } {
  if (rng.bool(0.5)) return rng.bool(0.2) ? truncate(rng, bytes) : mutateBytes(rng, bytes, 0, 3);
  const piece = new TextEncoder().encode(rng.pick(CSV_PIECES));
  const at = rng.int(bytes.length + 1);
  const out = new Uint8Array(bytes.length + piece.length);
  out.set(bytes.subarray(0, at));
  out.set(piece, at);
  out.set(bytes.subarray(at), at + piece.length);
  return { bytes: out, what: `insert ${JSON.stringify(new TextDecoder().decode(piece))}@${at}` };
}

type TabularFormat = 'parquet' | 'arrow' | 'csv';

function tabularGenerator(format: TabularFormat, bases: () => Base[]): () => InputGenerator {
  return () => {
    const all = bases();
    const edit = { parquet: parquetEdit, arrow: arrowEdit, csv: csvEdit }[format];
    return (rng, index): FuzzInput => {
      const b = rng.pick(all);
      const read = rng.pick(b.reads);
      let bytes = b.bytes;
      let what = 'as is';
      if (rng.bool(0.9)) ({ bytes, what } = edit(rng, bytes));
      const ext = b.name.split('.').pop() ?? format;
      return unreferencedRead(rng, { format, index, base: b.name, what, bytes, ext }, read);
    };
  };
}

const parquetReads: SourceRef[] = [
  { type: 'parquet', columns: ['f64', 'f32', 'i64', 'u64', 'ts'] },
  { type: 'parquet', columns: ['i8', 'b', 'd', 'i32_nulls'], nulls: 'zero' },
  { type: 'parquet', columns: ['u16'], startRow: 2000, endRow: 2300 },
];
const arrowReads: SourceRef[] = [
  { type: 'arrow' },
  { type: 'arrow', columns: ['vec', 'flag'], nulls: 'zero' },
  { type: 'arrow', columns: ['u16'], startRow: 350, endRow: 700 },
];
const csvReads: SourceRef[] = [
  { type: 'csv' },
  { type: 'csv', columns: ['g', 'small'], nulls: 'zero' },
  { type: 'csv', dtypes: { f: 'float32' }, inferRows: 20 },
];

export const tabularGenerators = {
  parquet: tabularGenerator('parquet', () =>
    ['zstd', 'snappy', 'gzip', 'uncompressed'].flatMap((codec) =>
      load(`duckdb-${codec}.parquet`, parquetReads),
    ),
  ),
  arrow: tabularGenerator('arrow', () => [
    ...load('apache-arrow.arrow', arrowReads),
    ...load('apache-arrow.arrows', arrowReads),
  ]),
  csv: tabularGenerator('csv', () => [
    ...load('pandas.csv', csvReads, 300),
    ...load('pandas.tsv', csvReads, 300),
  ]),
};
