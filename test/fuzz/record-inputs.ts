/**
 * Inputs of the headerless record formats, each with its reference from the format's
 * definition: raw (params say dtype, byte order, offset, rows and channels; every whole row up
 * to the end), EPOS (big-endian 44-byte records: 9 float32 then 2 uint32) and POS (big-endian
 * 16-byte records of 4 float32). Mutations change sizes, params and bytes.
 */
import { readFileSync } from 'node:fs';
import { mutateBytes } from './byte-mutations.ts';
import type { ElementType } from './elements.ts';
import { NUMPY_NAMES, readElement, viewOf } from './elements.ts';
import type { Expectation } from './expected-stats.ts';
import { ColumnExpectation } from './expected-stats.ts';
import type { FuzzFormat, FuzzInput, InputGenerator } from './fuzz-input.ts';
import { chunkRowsFor } from './fuzz-input.ts';
import type { Rng } from './rng.ts';

/** Columns of `rows` records of `recordBytes` from `start`: field j is `types[j]` at `offsets[j]`. */
function recordValues(
  bytes: Uint8Array,
  start: number,
  rows: number,
  recordBytes: number,
  fields: readonly { name: string; type: ElementType; offset: number }[],
): Expectation {
  const view = viewOf(bytes);
  const columns: Record<string, ReturnType<ColumnExpectation['result']>> = {};
  for (const f of fields) {
    const col = new ColumnExpectation();
    for (let r = 0; r < rows; r++) col.add(readElement(view, start + r * recordBytes + f.offset, f.type));
    columns[f.name] = col.result();
  }
  return { kind: 'values', rows, columns };
}

// --- raw -------------------------------------------------------------------------------------

interface RawParams {
  dtype: string;
  endian?: 'little' | 'big';
  offset?: number;
  length?: number;
  channels?: string[];
}

export function rawExpectation(bytes: Uint8Array, p: RawParams): Expectation {
  const t = NUMPY_NAMES[p.dtype];
  const channels = p.channels ?? ['value'];
  const offset = p.offset ?? 0;
  if (!t || channels.length === 0 || new Set(channels).size !== channels.length) {
    return { kind: 'consistent', reason: 'params' };
  }
  if (!Number.isSafeInteger(offset) || offset < 0) return { kind: 'refuse', reason: `offset ${offset}` };
  if (p.length !== undefined && (!Number.isSafeInteger(p.length) || p.length < 0)) {
    return { kind: 'refuse', reason: `length ${p.length}` };
  }
  const rowBytes = t.size * channels.length;
  if (offset > bytes.length) return { kind: 'consistent', reason: 'offset past the end' };
  const whole = Math.floor((bytes.length - offset) / rowBytes);
  if (p.length !== undefined && BigInt(offset) + BigInt(p.length) * BigInt(rowBytes) > BigInt(bytes.length)) {
    return { kind: 'refuse', reason: `length ${p.length} rows past the end` };
  }
  const rows = p.length ?? whole;
  const type = { ...t, little: p.endian !== 'big' };
  const fields = channels.map((name, j) => ({ name, type, offset: j * t.size }));
  return recordValues(bytes, offset, rows, rowBytes, fields);
}

const RAW_BASES: { file: string; params: RawParams }[] = [
  {
    file: 'test/fixtures/raw/i2-be-3ch.raw',
    params: { dtype: 'int16', endian: 'big', channels: ['x', 'y', 'z'] },
  },
  {
    file: 'test/fixtures/raw/f4-le-hdr.bin',
    params: { dtype: 'float32', offset: 100, length: 4001, channels: ['a', 'b'] },
  },
];

function rawParamsEdit(rng: Rng, p: RawParams, size: number): { params: RawParams; what: string } {
  const edit = rng.weighted([
    [3, 'dtype'],
    [3, 'offset'],
    [3, 'length'],
    [2, 'channels'],
    [1, 'endian'],
  ] as const);
  const q = { ...p };
  if (edit === 'dtype') q.dtype = rng.pick(Object.keys(NUMPY_NAMES));
  if (edit === 'endian') q.endian = rng.pick(['little', 'big'] as const);
  if (edit === 'offset')
    q.offset = rng.pick([0, 1, 3, 7, size - 1, size, size + 1, 2 ** 31, 2 ** 32 + 1, 2 ** 53 - 1]);
  if (edit === 'length')
    q.length = rng.pick([0, 1, 2, 4001, 4002, 10007, 10008, 2 ** 31, 2 ** 32, 2 ** 53 - 1]);
  if (edit === 'channels') {
    q.channels = Array.from({ length: rng.pick([1, 2, 3, 5, 64, 1000]) }, (_, i) => `c${i}`);
  }
  return {
    params: q,
    what: `${edit}=${JSON.stringify(q[edit === 'channels' ? 'channels' : edit])?.slice(0, 40)}`,
  };
}

function rawGenerator(): InputGenerator {
  const bases = RAW_BASES.map((b) => ({ ...b, bytes: new Uint8Array(readFileSync(b.file)) }));
  return (rng, index) => {
    let base = 'synthetic';
    let bytes: Uint8Array;
    let params: RawParams;
    const what: string[] = [];
    if (rng.bool(0.4)) {
      params = { dtype: rng.pick(Object.keys(NUMPY_NAMES)), endian: rng.pick(['little', 'big'] as const) };
      if (rng.bool(0.5)) params.channels = ['a', 'b', 'c'].slice(0, rng.between(1, 3));
      bytes = rng.bytes(rng.pick([0, 1, 7, 64, 1000, 4096]));
      what.push(`synthetic ${JSON.stringify(params)}`);
    } else {
      const b = rng.pick(bases);
      [base, bytes, params] = [b.file, b.bytes, { ...b.params }];
    }
    if (rng.bool(0.6)) {
      const e = rawParamsEdit(rng, params, bytes.length);
      params = e.params;
      what.push(e.what);
    }
    if (rng.bool(0.5)) {
      const m = mutateBytes(rng, bytes, 128, 2);
      bytes = m.bytes;
      what.push(m.what);
    }
    const chunkRows = chunkRowsFor(rng, bytes.length);
    return {
      format: 'raw',
      index,
      base,
      mutation: what.join(' ') || 'as is',
      files: { 'input.raw': bytes },
      read: {
        file: 'input.raw',
        source: { type: 'raw', ...params, chunkRows },
        inspectType: 'raw',
        inspectParams: { ...params },
      },
      expect: rawExpectation(bytes, params),
    };
  };
}

// --- epos and pos ----------------------------------------------------------------------------

const f32 = { kind: 'f', size: 4, little: false } as const;
const u32 = { kind: 'u', size: 4, little: false } as const;
const EPOS_FIELDS = [
  'x (nm)',
  'y (nm)',
  'z (nm)',
  'm/n (Da)',
  'TOF (ns)',
  'HV_DC (V)',
  'pulse (V)',
  'det_x (mm)',
  'det_y (mm)',
  'pslep',
  'ipp',
];
const RECORDS = {
  epos: {
    bytes: 44,
    fields: EPOS_FIELDS.map((name, j) => ({ name, type: j < 9 ? f32 : u32, offset: 4 * j })),
  },
  pos: { bytes: 16, fields: EPOS_FIELDS.slice(0, 4).map((name, j) => ({ name, type: f32, offset: 4 * j })) },
};

export function recordExpectation(
  format: 'epos' | 'pos',
  bytes: Uint8Array,
  columns: readonly string[] | undefined,
  onRemainder: 'error' | 'warn',
): Expectation {
  const r = RECORDS[format];
  if (bytes.length % r.bytes !== 0 && onRemainder === 'error')
    return { kind: 'refuse', reason: 'partial record' };
  const fields = columns ? columns.map((c) => r.fields.find((f) => f.name === c)) : r.fields;
  if (fields.some((f) => f === undefined) || (columns && new Set(columns).size !== columns.length)) {
    return { kind: 'consistent', reason: 'columns' };
  }
  return recordValues(
    bytes,
    0,
    Math.floor(bytes.length / r.bytes),
    r.bytes,
    fields as (typeof r.fields)[number][],
  );
}

function recordGenerator(format: 'epos' | 'pos', files: string[]): () => InputGenerator {
  return () => {
    const bases = files.map((file) => ({ file, bytes: new Uint8Array(readFileSync(file)) }));
    const names = RECORDS[format].fields.map((f) => f.name);
    return (rng, index): FuzzInput => {
      let base = 'synthetic';
      let bytes: Uint8Array;
      const what: string[] = [];
      if (rng.bool(0.3)) {
        bytes = rng.bytes(RECORDS[format].bytes * rng.pick([0, 1, 2, 50, 300]));
        what.push('synthetic');
      } else {
        const b = rng.pick(bases);
        [base, bytes] = [b.file, b.bytes];
      }
      if (rng.bool(0.8)) {
        const m = mutateBytes(rng, bytes, 0, 2);
        bytes = m.bytes;
        what.push(m.what);
      }
      const onRemainder = rng.bool(0.3) ? 'warn' : 'error';
      const columns = rng.bool(0.2) ? names.filter(() => rng.bool()).reverse() : undefined;
      const source = {
        type: format,
        chunkRows: chunkRowsFor(rng, bytes.length),
        onRemainder,
        ...(columns?.length ? { columns } : {}),
      };
      return {
        format: format as FuzzFormat,
        index,
        base,
        mutation: `${what.join(' ') || 'as is'} onRemainder=${onRemainder}${columns?.length ? ` columns=${columns.length}` : ''}`,
        files: { [`input.${format}`]: bytes },
        read: { file: `input.${format}`, source },
        expect: recordExpectation(format, bytes, columns?.length ? columns : undefined, onRemainder),
      };
    };
  };
}

export const recordGenerators = {
  raw: rawGenerator,
  epos: recordGenerator('epos', ['test/fixtures/epos/ions.epos', 'test/fixtures/epos/ions-tail.epos']),
  pos: recordGenerator('pos', ['test/fixtures/pos/ions.pos']),
};
