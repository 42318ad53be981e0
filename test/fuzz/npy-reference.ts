/**
 * The reference NPY reader of the fuzz suite, from the format's definition (numpy's
 * format.py, read_array_header and read_array): magic, version 1.0/2.0/3.0, the header length,
 * the header dict with exactly the keys descr, fortran_order and shape, the dtype, C or Fortran
 * order, and data of at least prod(shape) × itemsize bytes (more is ignored, as numpy does). It
 * says what a file must give: its statistics, a refusal (numpy refuses it, or sluice documents
 * refusing it), or nothing it can vouch for.
 */
import type { ElementType } from './elements.ts';
import { isReadable, readElement, viewOf } from './elements.ts';
import type { Expectation } from './expected-stats.ts';
import { ColumnExpectation } from './expected-stats.ts';
import type { Py } from './py-literal.ts';
import { asPyInt, isDict, isList, isTuple, parsePyLiteral } from './py-literal.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** Beyond this many columns the reference does not enumerate them (sluice refuses far fewer). */
const MAX_REFERENCE_COLUMNS = 4096;

interface Field {
  readonly name: string;
  readonly type: ElementType;
  readonly width: number;
  readonly offset: number;
}

type Descr = { fields: Field[]; itemsize: number; structured: boolean } | Expectation;

const refuse = (reason: string): Expectation => ({ kind: 'refuse', reason });
const unknown = (reason: string): Expectation => ({ kind: 'consistent', reason });

/** A simple dtype string: `<f8`, `>i4`, `|b1`, `|u1`; what sluice refuses; or unknown. */
function simpleType(text: string): ElementType | Expectation {
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(text);
  if (!m) {
    if (/^[<>|=]?(O|U\d*|S\d*|a\d*|[Mm]8(\[\w+\])?|c\d+|V\d*)$/.test(text)) return refuse(`dtype ${text}`);
    return unknown(`dtype ${JSON.stringify(text)} not modelled`);
  }
  const [, order, kind, digits] = m;
  const size = Number(digits);
  if (kind === 'f' && size === 2) return refuse('float16');
  if ('OUSaMmcV'.includes(kind)) return refuse(`dtype ${text}`);
  if (!'biuf'.includes(kind) || !isReadable(kind, size)) return unknown(`dtype ${text} not modelled`);
  if (order === '|' && size > 1) return unknown(`'|' on a ${size}-byte type`);
  return { kind: kind as ElementType['kind'], size, little: order !== '>' };
}

function isExpectation(v: unknown): v is Expectation {
  return typeof v === 'object' && v !== null && 'kind' in v && 'reason' in v;
}

function shapeOf(v: Py): bigint[] | undefined {
  if (!isTuple(v)) return undefined;
  const dims = v.tuple.map(asPyInt);
  return dims.every((d) => d !== undefined) ? (dims as bigint[]) : undefined;
}

/** numpy's descr_to_dtype, for the descrs the reference models. */
function parseDescr(descr: Py): Descr {
  if (typeof descr === 'string') {
    const t = simpleType(descr);
    return isExpectation(t)
      ? t
      : { fields: [{ name: 'value', type: t, width: 1, offset: 0 }], itemsize: t.size, structured: false };
  }
  if (!isList(descr)) return unknown('descr neither a string nor a list');
  const fields: Field[] = [];
  let offset = 0;
  for (const item of descr.list) {
    if (!isTuple(item) || item.tuple.length < 2 || item.tuple.length > 3) return unknown('odd field');
    const [name, format, shape] = item.tuple;
    if (typeof name !== 'string' || typeof format !== 'string') return unknown('field not (str, str)');
    let width = 1;
    if (shape !== undefined) {
      const dims = asPyInt(shape) !== undefined ? [asPyInt(shape) as bigint] : shapeOf(shape);
      if (!dims || dims.some((d) => d < 0n)) return unknown('field shape');
      const w = dims.reduce((a, b) => a * b, 1n);
      if (w > 1_000_000n) return unknown('huge field shape');
      width = Number(w);
    }
    if (name === '' && /^\|?V\d+$/.test(format) && shape === undefined) {
      offset += Number(format.replace(/\D/g, '')); // padding (numpy drops it)
      continue;
    }
    const t = simpleType(format);
    if (isExpectation(t)) return t.kind === 'refuse' ? t : unknown(`field ${name}: dtype not modelled`);
    if (name === '' || fields.some((f) => f.name === name))
      return unknown(`field name ${JSON.stringify(name)}`);
    fields.push({ name, type: t, width, offset });
    offset += t.size * width;
  }
  if (fields.length === 0) return unknown('no fields');
  return { fields, itemsize: offset, structured: true };
}

/** What reading `bytes` as an .npy must give. */
export function npyExpectation(bytes: Uint8Array): Expectation {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) return refuse('not NPY magic');
  const [major, minor] = [bytes[6], bytes[7]];
  if (![1, 2, 3].includes(major) || minor !== 0) return refuse(`version ${major}.${minor}`);
  const view = viewOf(bytes);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) return refuse('header length cut');
  const hlen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (start + hlen > bytes.length) return refuse('header longer than the file');
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(
      bytes.subarray(start, start + hlen),
    );
  } catch {
    return refuse('header not utf-8');
  }
  const parsed = parsePyLiteral(text.replace(/^[ \t]+/, ''));
  if (parsed === undefined) return unknown('header syntax not modelled');
  if (!isDict(parsed)) return refuse('header not a dict');
  const d = new Map<string, Py>();
  for (const [k, v] of parsed.dict) {
    if (typeof k !== 'string') return refuse('non-string key');
    d.set(k, v); // a repeated key: the last one counts, as in Python
  }
  if (d.size !== 3 || !['descr', 'fortran_order', 'shape'].every((k) => d.has(k)))
    return refuse('header keys');
  const shape = shapeOf(d.get('shape') as Py);
  if (!shape) return refuse('shape not a tuple of ints');
  const fortran = d.get('fortran_order');
  if (typeof fortran !== 'boolean') return refuse('fortran_order not a bool');
  if (shape.some((n) => n < 0n)) return refuse('negative dimension');
  const descr = parseDescr(d.get('descr') as Py);
  if (isExpectation(descr)) return descr;
  const count = shape.reduce((a, b) => a * b, 1n);
  if (count * BigInt(descr.itemsize) > BigInt(bytes.length - start - hlen))
    return refuse('data shorter than shape');
  if (shape.length === 0 || shape.length > 2) return refuse(`${shape.length}-D array`);
  if (descr.structured && shape.length !== 1) return unknown('structured 2-D');
  return values(bytes, start + hlen, descr, shape.map(Number), fortran);
}

function values(
  bytes: Uint8Array,
  dataStart: number,
  descr: { fields: Field[]; itemsize: number; structured: boolean },
  shape: number[],
  fortran: boolean,
): Expectation {
  const view = viewOf(bytes);
  const rows = shape[0];
  const k = shape.length === 2 ? shape[1] : 1;
  if (k > MAX_REFERENCE_COLUMNS) return unknown(`${k} columns`);
  const columns: Record<string, ReturnType<ColumnExpectation['result']>> = {};
  if (shape.length === 2) {
    const t = descr.fields[0].type;
    for (let c = 0; c < k; c++) {
      const col = new ColumnExpectation();
      for (let r = 0; r < rows; r++) {
        const index = fortran ? c * rows + r : r * k + c;
        col.add(readElement(view, dataStart + index * t.size, t));
      }
      columns[`c${c}`] = col.result();
    }
    return { kind: 'values', rows, columns };
  }
  for (const f of descr.fields) {
    const col = new ColumnExpectation();
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < f.width; j++) {
        col.add(readElement(view, dataStart + r * descr.itemsize + f.offset + j * f.type.size, f.type));
      }
    }
    columns[f.name] = col.result();
  }
  return { kind: 'values', rows, columns };
}
