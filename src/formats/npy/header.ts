/**
 * The .npy header: parsing (the `npy` source) and formatting (the NPY writer, sample data).
 * Layout of a file, from numpy's `lib/format.py`:
 *   magic `\x93NUMPY`, major and minor version bytes, the header length (uint16 LE in 1.0,
 *   uint32 LE in 2.0 and 3.0), then the header: a Python dict literal (latin-1 in 1.0/2.0,
 *   UTF-8 in 3.0) padded with spaces and a final newline so the data starts 64-byte aligned.
 */
import { SluiceError } from '../../core/errors.ts';
import type { DType } from '../../core/dtype.ts';
import { itemSizeOf } from '../../core/dtype.ts';
import type { NumericKind } from '../../core/numeric-dtype.ts';
import { numericDType } from '../../core/numeric-dtype.ts';
import type { PyValue } from './py-literal.ts';
import {
  formatPyLiteral,
  isPyDict,
  isPySequence,
  parsePyLiteral,
  PyLiteralError,
  pyTuple,
} from './py-literal.ts';

export const NPY_MAGIC = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // PK\x03\x04: an .npz is a zip of .npy files
/** Bytes before the header length field: magic plus two version bytes. */
const PRELUDE_BYTES = 8;
/** Bytes to read to know the header length, whatever the version. */
export const NPY_PRELUDE_MAX = 12;
/** numpy aligns the data to this many bytes. */
const ARRAY_ALIGN = 64;
/**
 * numpy refuses headers over 10 000 characters unless trusted; we parse linearly and safely,
 * so allow far more (big structured dtypes) but still stop absurd lengths early.
 */
const MAX_HEADER_BYTES = 1 << 20;
/** numpy pads headers so a growing axis can be rewritten in place; we match its bytes. */
const GROWTH_AXIS_MAX_DIGITS = 21;

export type NpyVersion = '1.0' | '2.0' | '3.0';

export interface NpyPrelude {
  readonly version: NpyVersion;
  /** Byte offset of the header text. */
  readonly headerOffset: number;
  readonly headerLength: number;
  /** Byte offset of the first data byte. */
  readonly dataOffset: number;
}

export interface NpyHeader extends NpyPrelude {
  /** A type string (`'<f4'`) or a structured description (list of tuples), as written. */
  readonly descr: PyValue;
  readonly shape: readonly number[];
  readonly fortranOrder: boolean;
}

/** The header fields a writer supplies. */
export interface NpyHeaderFields {
  readonly descr: PyValue;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
}

/** One scalar element type, from a type string such as `'<f4'`. */
export interface NpyScalarType {
  readonly dtype: DType;
  readonly littleEndian: boolean;
  readonly itemSize: number;
  /** `b1`: numpy booleans are delivered as uint8 0/1. */
  readonly isBool: boolean;
}

export function hasNpyMagic(head: Uint8Array): boolean {
  return head.length >= NPY_MAGIC.length && NPY_MAGIC.every((b, i) => head[i] === b);
}

function hasZipMagic(head: Uint8Array): boolean {
  return head.length >= ZIP_MAGIC.length && ZIP_MAGIC.every((b, i) => head[i] === b);
}

/** Reads magic, version and header length from the first bytes (up to NPY_PRELUDE_MAX). */
export function parseNpyPrelude(head: Uint8Array, path: string): NpyPrelude {
  if (hasZipMagic(head)) {
    throw new SluiceError('FORMAT_UNSUPPORTED', `${path} is a zip archive (.npz), not a .npy file`, {
      path,
      offset: 0,
      hint: 'unzip it; each member is a .npy file you can read with the npy source',
    });
  }
  const bad = NPY_MAGIC.findIndex((b, i) => head[i] !== b);
  if (bad >= 0) {
    throw new SluiceError('FORMAT_INVALID', `${path}: not a .npy file (bad magic at byte ${bad})`, {
      path,
      offset: bad,
      hint: 'a .npy file starts with \\x93NUMPY; check the path and the source type',
    });
  }
  if (head.length < PRELUDE_BYTES + 2) throw truncated(path, PRELUDE_BYTES, 'the header length');
  const major = head[6];
  const minor = head[7];
  if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
    throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: .npy format version ${major}.${minor} is unknown`, {
      path,
      offset: 6,
      hint: 'versions 1.0, 2.0 and 3.0 are supported; re-save the array with numpy.save',
    });
  }
  const lengthBytes = major === 1 ? 2 : 4;
  if (head.length < PRELUDE_BYTES + lengthBytes) throw truncated(path, PRELUDE_BYTES, 'the header length');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLength =
    major === 1 ? view.getUint16(PRELUDE_BYTES, true) : view.getUint32(PRELUDE_BYTES, true);
  if (headerLength > MAX_HEADER_BYTES) {
    throw new SluiceError('FORMAT_INVALID', `${path}: header length ${headerLength} is implausible`, {
      path,
      offset: PRELUDE_BYTES,
      hint: `headers over ${MAX_HEADER_BYTES} bytes are refused; the file is probably corrupt`,
    });
  }
  const headerOffset = PRELUDE_BYTES + lengthBytes;
  return { version: `${major}.0`, headerOffset, headerLength, dataOffset: headerOffset + headerLength };
}

/** Parses the whole header; `head` holds at least the file's first `dataOffset` bytes. */
export function parseNpyHeader(head: Uint8Array, path: string): NpyHeader {
  const prelude = parseNpyPrelude(head, path);
  const { headerOffset, dataOffset } = prelude;
  if (head.length < dataOffset) throw truncated(path, headerOffset, 'the header');
  const raw = head.subarray(headerOffset, dataOffset);
  const text = decodeHeaderText(raw, prelude.version, path, headerOffset);
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (error) {
    if (!(error instanceof PyLiteralError)) throw error;
    const offset = headerOffset + Buffer.byteLength(text.slice(0, error.index), encodingOf(prelude.version));
    throw new SluiceError('FORMAT_INVALID', `${path}: bad .npy header at byte ${offset}: ${error.message}`, {
      path,
      offset,
      hint: 'the header must be a Python dict literal as numpy.save writes it',
      cause: error,
    });
  }
  return { ...prelude, ...checkHeaderDict(dict, path, headerOffset) };
}

function encodingOf(version: NpyVersion): 'latin1' | 'utf8' {
  return version === '3.0' ? 'utf8' : 'latin1';
}

function decodeHeaderText(raw: Uint8Array, version: NpyVersion, path: string, offset: number): string {
  if (version !== '3.0') return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch (cause) {
    throw new SluiceError('FORMAT_INVALID', `${path}: version 3.0 header is not valid UTF-8`, {
      path,
      offset,
      cause,
    });
  }
}

/** numpy's own checks: exactly the three keys, shape a tuple of ints, fortran_order a bool. */
function checkHeaderDict(dict: PyValue, path: string, offset: number): NpyHeaderFields {
  const invalid = (message: string): SluiceError =>
    new SluiceError('FORMAT_INVALID', `${path}: bad .npy header: ${message}`, {
      path,
      offset,
      hint: "the header dict must hold exactly 'descr', 'fortran_order' and 'shape'",
    });
  if (!isPyDict(dict)) throw invalid('not a dict');
  const keys = [...dict.entries.keys()].sort();
  if (keys.join() !== 'descr,fortran_order,shape') throw invalid(`keys are [${keys.join(', ')}]`);
  const shape = dict.entries.get('shape') ?? null;
  const fortranOrder = dict.entries.get('fortran_order');
  if (!isPySequence(shape) || shape.kind !== 'tuple') throw invalid('shape is not a tuple');
  const dims = shape.items.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
  if (dims.includes(-1)) throw invalid(`shape ${formatPyLiteral(shape)} is not a tuple of non-negative ints`);
  if (typeof fortranOrder !== 'boolean') throw invalid('fortran_order is not True or False');
  return { descr: dict.entries.get('descr') ?? null, shape: dims, fortranOrder };
}

function truncated(path: string, offset: number, what: string): SluiceError {
  return new SluiceError('FORMAT_INVALID', `${path}: file ends inside ${what}`, {
    path,
    offset,
    hint: 'the file is truncated',
  });
}

// ---------------------------------------------------------------------------------------
// Type strings

const KINDS: Readonly<Record<string, NumericKind>> = { i: 'int', u: 'uint', f: 'float' };

/** The column type of numpy's kind letter and size; `b1` (bool) is delivered as uint8 0/1. */
function npyDType(kind: string, size: number): DType | undefined {
  if (kind === 'b') return size === 1 ? 'uint8' : undefined;
  const numeric = KINDS[kind];
  return numeric && numericDType(numeric, size);
}

const UNSUPPORTED_KINDS: Record<string, string> = {
  c: 'complex numbers: split them in numpy first (arr.real, arr.imag) or view as float pairs',
  U: 'strings are not numeric columns',
  S: 'byte strings are not numeric columns',
  a: 'byte strings are not numeric columns',
  M: "datetimes: save arr.view('<i8') (the ticks since the epoch) instead",
  m: "timedeltas: save arr.view('<i8') (the ticks) instead",
  O: 'object arrays hold pickled Python objects, which sluice never loads (numpy needs allow_pickle=True for them too); save a numeric array instead',
  V: 'opaque void data has no numeric columns',
};

/**
 * Interprets a numpy type string such as `'<f4'`, `'>u8'`, `'|u1'`. `=` and `|` mean native
 * order for numpy; every host sluice runs on is little-endian, so both read as little.
 * A type sluice cannot hold as a column is a FORMAT_UNSUPPORTED naming the type.
 */
export function parseNpyTypeString(text: string, path: string, offset: number): NpyScalarType {
  const match = /^([<>|=]?)([a-zA-Z])(\d*)(\[\w+\])?$/.exec(text);
  if (!match) {
    throw new SluiceError('FORMAT_INVALID', `${path}: '${text}' is not a numpy type string`, {
      path,
      offset,
    });
  }
  const [, order, kind, digits, unit] = match;
  const size = Number(digits || '0');
  if (unit && kind !== 'M' && kind !== 'm') {
    throw new SluiceError('FORMAT_INVALID', `${path}: '${text}' is not a numpy type string`, {
      path,
      offset,
    });
  }
  const dtype = npyDType(kind, size);
  if (!dtype) {
    const why =
      UNSUPPORTED_KINDS[kind] ??
      (kind === 'f' && size === 2
        ? 'float16: save it as float32 (arr.astype(np.float32))'
        : 'no column type');
    throw new SluiceError('FORMAT_UNSUPPORTED', `${path}: numpy type '${text}' is not supported`, {
      path,
      offset,
      hint: `${why}; supported: int8…int64, uint8…uint64, float32, float64, bool`,
    });
  }
  return { dtype, littleEndian: order !== '>', itemSize: size, isBool: kind === 'b' };
}

/** The numpy type string of a column type: `formatNpyTypeString('float32', true)` is `'<f4'`. */
export function formatNpyTypeString(dtype: DType, littleEndian = true): string {
  const size = itemSizeOf(dtype);
  const kind = dtype.startsWith('float') ? 'f' : dtype.startsWith('u') ? 'u' : 'i';
  const order = size === 1 ? '|' : littleEndian ? '<' : '>';
  return `${order}${kind}${size}`;
}

// ---------------------------------------------------------------------------------------
// Formatting

/**
 * The bytes numpy.save writes before the data: magic, version, length and the padded header
 * dict, 64-byte aligned. The version is the oldest that can hold the header, as numpy
 * chooses it, unless given.
 */
export function formatNpyHeader(fields: NpyHeaderFields, version?: NpyVersion): Uint8Array {
  let text = `{'descr': ${formatPyLiteral(fields.descr)}, 'fortran_order': ${fields.fortranOrder ? 'True' : 'False'}, 'shape': ${formatPyLiteral(pyTuple(...fields.shape))}, }`;
  const { shape } = fields;
  if (shape.length > 0) {
    const growing = String(shape[fields.fortranOrder ? shape.length - 1 : 0]);
    text += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - growing.length));
  }
  const versions: NpyVersion[] = version ? [version] : ['1.0', '2.0', '3.0'];
  for (const v of versions) {
    const wrapped = wrapHeader(text, v);
    if (wrapped) return wrapped;
  }
  throw new RangeError(`the header does not fit .npy version ${version}`);
}

/** Pads and prefixes the header text, or null when `version` cannot hold it. */
function wrapHeader(text: string, version: NpyVersion): Uint8Array | null {
  const encoding = encodingOf(version);
  // latin-1 headers hold code points up to U+00FF only; beyond that numpy moves to 3.0.
  if (encoding === 'latin1' && /[\u{100}-\u{10ffff}]/u.test(text)) return null;
  const body = Buffer.from(text, encoding);
  const lengthBytes = version === '1.0' ? 2 : 4;
  const hlen = body.length + 1; // the final newline
  // numpy's rule, including its quirk: an already aligned header still gets 64 spaces.
  const padding = ARRAY_ALIGN - ((PRELUDE_BYTES + lengthBytes + hlen) % ARRAY_ALIGN);
  const total = hlen + padding;
  if (version === '1.0' && total > 0xffff) return null;
  const out = Buffer.alloc(PRELUDE_BYTES + lengthBytes + total, 0x20);
  out.set(NPY_MAGIC, 0);
  out[6] = Number(version[0]);
  out[7] = 0;
  if (lengthBytes === 2) out.writeUInt16LE(total, PRELUDE_BYTES);
  else out.writeUInt32LE(total, PRELUDE_BYTES);
  out.set(body, PRELUDE_BYTES + lengthBytes);
  out[out.length - 1] = 0x0a;
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
