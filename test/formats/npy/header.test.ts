import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../../src/core/errors.ts';
import { parseNpyDescr } from '../../../src/formats/npy/descr.ts';
import type { NpyVersion } from '../../../src/formats/npy/header.ts';
import {
  formatNpyHeader,
  formatNpyTypeString,
  parseNpyHeader,
  parseNpyPrelude,
  parseNpyTypeString,
} from '../../../src/formats/npy/header.ts';
import type { PyValue } from '../../../src/formats/npy/py-literal.ts';
import {
  formatPyLiteral,
  parsePyLiteral,
  PyLiteralError,
  pyList,
  pyTuple,
} from '../../../src/formats/npy/py-literal.ts';

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('sources-manifest.json', FIXTURES), 'utf8')) as Record<
  string,
  { file: string; stage: string }
>;

/** Plain JS of a literal, for readable expectations: tuples become { tuple: [...] }. */
function plain(value: PyValue): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value.kind === 'dict') return Object.fromEntries([...value.entries].map(([k, v]) => [k, plain(v)]));
  const items = value.items.map(plain);
  return value.kind === 'list' ? items : { tuple: items };
}

function caught(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SluiceError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

/** A header with numpy's layout around arbitrary dict text. */
function headerBytes(text: string, major = 1, encoding: BufferEncoding = 'latin1'): Uint8Array {
  const body = Buffer.from(text, encoding);
  const lengthBytes = major === 1 ? 2 : 4;
  const prefix = Buffer.alloc(8 + lengthBytes);
  Buffer.from('\x93NUMPY', 'latin1').copy(prefix);
  prefix[6] = major;
  if (major === 1) prefix.writeUInt16LE(body.length, 8);
  else prefix.writeUInt32LE(body.length, 8);
  return Buffer.concat([prefix, body]);
}

describe('parsePyLiteral', () => {
  it.each([
    [
      "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }",
      { descr: '<f4', fortran_order: false, shape: { tuple: [10] } },
    ],
    ['(3, 4)', { tuple: [3, 4] }],
    ['()', { tuple: [] }],
    ['(10L, 2L)', { tuple: [10, 2] }],
    [
      "[('a', '<f4'), ('b', '>i2', (3,))]",
      [{ tuple: ['a', '<f4'] }, { tuple: ['b', '>i2', { tuple: [3] }] }],
    ],
    ["[(('title', 'x'), '<f8')]", [{ tuple: [{ tuple: ['title', 'x'] }, '<f8'] }]],
    [`"it's"`, "it's"],
    ["'a\\'b\\\\c\\x41\\u00e9\\n'", "a'b\\cAé\n"],
    ["u'température'", 'température'],
    ['  True ', true],
    ['None', null],
    ['-12', -12],
    ['[]', []],
    ['{}', {}],
  ])('%s', (text, expected) => {
    expect(plain(parsePyLiteral(text))).toEqual(expected);
  });

  it.each([
    ['{', 1, /expected a value/],
    ["{'a': 1", 7, /expected ',' or '}'/],
    ["{'a' 1}", 5, /expected ':'/],
    ['{1: 2}', 1, /keys must be strings/],
    ["{'a': 1, 'a': 2}", 9, /duplicate key/],
    ['(10,,)', 4, /expected a value/],
    ['(3)', 2, /1-tuple/],
    ["'abc", 0, /unterminated/],
    ['1.5', 1, /only integer/],
    ['1e3', 1, /only integer/],
    ['99999999999999999999', 0, /beyond 2\^53/],
    ['__import__', 0, /expected a value/],
    ['true', 0, /expected a value/],
    ["'\\q'", 2, /unsupported escape/],
    ['(1,) x', 5, /after the literal/],
    ['['.repeat(40), 33, /nesting/],
  ])('refuses %s at index %i', (text, index, message) => {
    let error: unknown;
    try {
      parsePyLiteral(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PyLiteralError);
    expect((error as PyLiteralError).index).toBe(index);
    expect((error as PyLiteralError).message).toMatch(message);
  });

  it('prints what it parses as Python would', () => {
    for (const text of [
      "[('a', '|u1'), ('', '|V7'), ('b', '>f8', (3,))]",
      '(10007,)',
      '(3, 4)',
      '()',
      '"it\'s"',
    ]) {
      expect(formatPyLiteral(parsePyLiteral(text))).toBe(text);
    }
    expect(formatPyLiteral(pyTuple(1))).toBe('(1,)');
    expect(formatPyLiteral(pyList(['a\n', true, null]))).toBe("['a\\n', True, None]");
  });
});

describe('formatNpyHeader', () => {
  const valid = Object.values(manifest).filter((f) => f.stage === 'npy');

  it.each(valid.map((f) => f.file))('writes the exact header numpy wrote for %s', (file) => {
    const bytes = readFileSync(new URL(file, FIXTURES));
    const header = parseNpyHeader(bytes, file);
    const head = bytes.subarray(0, header.dataOffset);
    const fields = { descr: header.descr, fortranOrder: header.fortranOrder, shape: header.shape };
    expect(Buffer.from(formatNpyHeader(fields, header.version)).equals(head)).toBe(true);
    // Without a version it picks the one numpy picked (except where the fixture forced 2.0).
    if (!file.includes('v2')) expect(Buffer.from(formatNpyHeader(fields)).equals(head)).toBe(true);
    expect(header.dataOffset % 64).toBe(0);
  });

  it('picks 1.0 for latin-1, 3.0 beyond, 2.0 for long headers', () => {
    const version = (h: Uint8Array) => parseNpyPrelude(h, 'x').version;
    expect(
      version(formatNpyHeader({ descr: pyList([pyTuple('é', '<f4')]), fortranOrder: false, shape: [1] })),
    ).toBe('1.0');
    const named = (name: string) => pyList([pyTuple(name, '<f4')]);
    expect(version(formatNpyHeader({ descr: named('Δ'), fortranOrder: false, shape: [1] }))).toBe('3.0');
    const many = pyList(Array.from({ length: 4000 }, (_, i) => pyTuple(`field${i}`, '<f4')));
    expect(version(formatNpyHeader({ descr: many, fortranOrder: false, shape: [1] }))).toBe('2.0');
  });

  it('round-trips through parseNpyHeader in every version', () => {
    for (const v of ['1.0', '2.0', '3.0'] as NpyVersion[]) {
      const bytes = formatNpyHeader({ descr: '>u8', fortranOrder: true, shape: [5, 2] }, v);
      const header = parseNpyHeader(bytes, 'x');
      expect({ ...header, descr: plain(header.descr) }).toEqual({
        version: v,
        headerOffset: v === '1.0' ? 10 : 12,
        headerLength: bytes.length - (v === '1.0' ? 10 : 12),
        dataOffset: bytes.length,
        descr: '>u8',
        shape: [5, 2],
        fortranOrder: true,
      });
    }
  });
});

describe('parseNpyHeader errors', () => {
  const good = "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }";
  it.each([
    ['bad magic', Buffer.from('\x93NUMPZ\x01\x00', 'latin1'), 'FORMAT_INVALID', 5, /bad magic/],
    ['empty file', new Uint8Array(0), 'FORMAT_INVALID', 0, /bad magic/],
    ['zip archive', Buffer.from('PK\x03\x04rest', 'latin1'), 'FORMAT_UNSUPPORTED', 0, /\.npz/],
    ['version 4.0', Buffer.from('\x93NUMPY\x04\x00\x10\x00', 'latin1'), 'FORMAT_UNSUPPORTED', 6, /4\.0/],
    ['version 1.1', Buffer.from('\x93NUMPY\x01\x01\x10\x00', 'latin1'), 'FORMAT_UNSUPPORTED', 6, /1\.1/],
    ['no length', Buffer.from('\x93NUMPY\x02\x00\x10\x00', 'latin1'), 'FORMAT_INVALID', 8, /header length/],
    ['header cut', headerBytes(good).subarray(0, 30), 'FORMAT_INVALID', 10, /ends inside the header/],
    [
      'huge length',
      Buffer.from('\x93NUMPY\x02\x00\xff\xff\xff\x7f', 'latin1'),
      'FORMAT_INVALID',
      8,
      /implausible/,
    ],
    [
      'syntax',
      headerBytes("{'descr': '<f4' 'shape': (10,)}"),
      'FORMAT_INVALID',
      10 + 16,
      /expected ',' or '}'/,
    ],
    [
      'utf-8 offset',
      headerBytes("{'descr': [('é', '<f4')] 'x'}", 3, 'utf8'),
      'FORMAT_INVALID',
      12 + 26,
      /at byte 38/,
    ],
    ['not a dict', headerBytes('(1, 2)'), 'FORMAT_INVALID', 10, /not a dict/],
    ['extra key', headerBytes(good.replace('}', "'x': 1}")), 'FORMAT_INVALID', 10, /keys are/],
    ['shape list', headerBytes(good.replace('(10,)', '[10]')), 'FORMAT_INVALID', 10, /shape is not a tuple/],
    ['negative dim', headerBytes(good.replace('(10,)', '(-1,)')), 'FORMAT_INVALID', 10, /non-negative/],
    ['fortran 0', headerBytes(good.replace('False', '0')), 'FORMAT_INVALID', 10, /fortran_order/],
    ['bad utf-8', headerBytes('{\xff}', 3, 'latin1'), 'FORMAT_INVALID', 12, /UTF-8/],
  ])('%s', (_name, bytes, code, offset, message) => {
    const error = caught(() => parseNpyHeader(bytes, 'f.npy'));
    expect({ code: error.code, offset: error.offset, path: error.path }).toEqual({
      code,
      offset,
      path: 'f.npy',
    });
    expect(error.message).toMatch(message);
  });

  it('reads Python 2 long shapes', () => {
    const header = parseNpyHeader(
      headerBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (10L,)}"),
      'x',
    );
    expect(header.shape).toEqual([10]);
  });
});

describe('type strings and descr', () => {
  it.each([
    ['<f4', 'float32', true],
    ['>f8', 'float64', false],
    ['|u1', 'uint8', true],
    ['|i1', 'int8', true],
    ['<i8', 'int64', true],
    ['>u8', 'uint64', false],
    ['=u2', 'uint16', true],
    ['i4', 'int32', true],
    ['|b1', 'uint8', true],
  ])('%s is %s', (text, dtype, littleEndian) => {
    expect(parseNpyTypeString(text, 'x', 10)).toMatchObject({ dtype, littleEndian });
  });

  it.each([
    ['<c8', 'FORMAT_UNSUPPORTED', /complex/],
    ['<f2', 'FORMAT_UNSUPPORTED', /float16/],
    ['<U5', 'FORMAT_UNSUPPORTED', /strings/],
    ['|S5', 'FORMAT_UNSUPPORTED', /strings/],
    ['<M8[ns]', 'FORMAT_UNSUPPORTED', /datetime/],
    ['<m8[s]', 'FORMAT_UNSUPPORTED', /timedelta/],
    ['|O', 'FORMAT_UNSUPPORTED', /allow_pickle/],
    ['<f16', 'FORMAT_UNSUPPORTED', /no column type/],
    ['<f4[s]', 'FORMAT_INVALID', /not a numpy type/],
    ['float32', 'FORMAT_INVALID', /not a numpy type/],
  ])('%s → %s', (text, code, hint) => {
    const error = caught(() => parseNpyTypeString(text, 'x', 10));
    expect(error.code).toBe(code);
    expect(`${error.message} ${error.hint ?? ''}`).toMatch(hint);
  });

  it('formats type strings', () => {
    expect(formatNpyTypeString('float32')).toBe('<f4');
    expect(formatNpyTypeString('uint64', false)).toBe('>u8');
    expect(formatNpyTypeString('int8', false)).toBe('|i1');
  });

  it('lays out structured fields: padding skipped, titles, subarrays, byte orders', () => {
    const descr = parsePyLiteral(
      "[('a', '|u1'), ('', '|V7'), (('T', 'b'), '>f8'), ('xyz', '<f4', (3,)), ('m', '<i2', (2, 2)), ('pad', '|V2'), ('e', '<f4', (0,))]",
    );
    const parsed = parseNpyDescr(descr, 'x', 10);
    expect(parsed.itemSize).toBe(1 + 7 + 8 + 12 + 8 + 2);
    expect(parsed.byteOrder).toBe('mixed');
    expect(parsed.fields.map((f) => [f.name, f.type.dtype, f.offset, f.width])).toEqual([
      ['a', 'uint8', 0, 1],
      ['b', 'float64', 8, 1],
      ['xyz', 'float32', 16, 3],
      ['m', 'int16', 28, 4],
    ]);
  });

  it.each([
    ["[('p', [('x', '<f4')])]", 'FORMAT_UNSUPPORTED', /nested/],
    ["[('', '|V4')]", 'FORMAT_UNSUPPORTED', /no numeric fields/],
    ["[('a', '<f4'), ('a', '<f8')]", 'FORMAT_INVALID', /twice/],
    ["[('a',)]", 'FORMAT_INVALID', /tuple/],
    ["[('a', '<f4', 3)]", 'FORMAT_INVALID', /not a tuple/],
    ["[('s', '|O')]", 'FORMAT_UNSUPPORTED', /allow_pickle/],
    ['3', 'FORMAT_INVALID', /not a dtype/],
  ])('%s → %s', (text, code, message) => {
    const error = caught(() => parseNpyDescr(parsePyLiteral(text), 'x', 10));
    expect(error.code).toBe(code);
    expect(error.offset).toBe(10);
    expect(`${error.message} ${error.hint ?? ''}`).toMatch(message);
  });
});
