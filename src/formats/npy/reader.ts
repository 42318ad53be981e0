/**
 * A .npy file as a table: its header read (header.ts, descr.ts) and turned into the rows and
 * columns the table reader reads, with the data size checked against the header.
 */
import { SluiceError } from '../../core/errors.ts';
import { copyRange } from '../../io/copy-range.ts';
import type { MappedFile } from '../../io/mapped-file.ts';
import type { TableLayout } from '../../io/table-reader.ts';
import { checkColumnCount } from '../../io/table-reader.ts';
import type { NpyDescr } from './descr.ts';
import { parseNpyDescr } from './descr.ts';
import type { NpyHeader } from './header.ts';
import { NPY_PRELUDE_MAX, parseNpyHeader, parseNpyPrelude } from './header.ts';

export interface NpyTable {
  readonly layout: TableLayout;
  readonly totalRows: number;
}

/** The table of a .npy file, with its header facts for `sluice inspect`. */
export async function readNpyTable(
  file: MappedFile,
  path: string,
): Promise<NpyTable & { details: Record<string, unknown> }> {
  const header = await readNpyHeader(file);
  const descr = parseNpyDescr(header.descr, path, header.headerOffset);
  // Everything a header can claim is checked before anything is built from it: the shape,
  // then the data size against the file, then (in npyTable) the column count.
  checkNpyShape(header, descr, path);
  checkDataSize(header, descr, file.size, path);
  const table = npyTable(header, descr, path);
  return { ...table, details: npyDetails(header, descr, table) };
}

/** Header facts for `sluice inspect`. */
function npyDetails(header: NpyHeader, descr: NpyDescr, table: NpyTable): Record<string, unknown> {
  return {
    version: header.version,
    descr: descr.text,
    shape: header.shape,
    fortranOrder: header.fortranOrder,
    dataOffset: header.dataOffset,
    byteOrder: descr.byteOrder,
    itemSize: descr.itemSize,
    totalRows: table.totalRows,
  };
}

/** Reads and parses the header: first the fixed prelude (to learn its length), then the rest. */
export async function readNpyHeader(file: MappedFile): Promise<NpyHeader> {
  const prelude = parseNpyPrelude(await copyRange(file, 0, Math.min(NPY_PRELUDE_MAX, file.size)), file.path);
  if (prelude.dataOffset > file.size) {
    throw new SluiceError('FORMAT_INVALID', `${file.path}: file ends inside the .npy header`, {
      path: file.path,
      offset: file.size,
      hint: `the header says the data starts at byte ${prelude.dataOffset}; the file is truncated`,
    });
  }
  return parseNpyHeader(await copyRange(file, 0, prelude.dataOffset), file.path);
}

/** Shapes sluice reads: 1-D (any dtype) and 2-D (n, k ≥ 1) of a plain dtype; FORMAT_UNSUPPORTED otherwise. */
export function checkNpyShape(header: NpyHeader, descr: NpyDescr, path: string): void {
  const { shape } = header;
  const unsupported = (what: string, hint: string): SluiceError =>
    new SluiceError('FORMAT_UNSUPPORTED', `${path}: ${what} arrays are not supported`, {
      path,
      offset: header.headerOffset,
      hint,
    });
  if (shape.length === 0)
    throw unsupported('0-d (scalar)', 'save it as a 1-element array: np.save(path, np.atleast_1d(x))');
  if (shape.length > 2) {
    throw unsupported(`${shape.length}-d`, 'reshape it to 2-D before saving: arr.reshape(len(arr), -1)');
  }
  if (shape.length === 1) return;
  if (descr.structured) throw unsupported('2-d structured', 'save a 1-D structured array: arr.reshape(-1)');
  if (shape[1] === 0) throw unsupported('(n, 0)-shaped', 'the array has no columns');
}

/**
 * Rows and columns of an array: 1-D → `value` (or one column per field of a structured
 * type), 2-D (n, k) → n rows of columns c0…c(k-1), interleaved in C order, one after the
 * other in Fortran order; k is at most MAX_TABLE_COLUMNS, checked before any column is
 * built. Other shapes are FORMAT_UNSUPPORTED.
 */
export function npyTable(header: NpyHeader, descr: NpyDescr, path: string): NpyTable {
  checkNpyShape(header, descr, path);
  const { shape, dataOffset } = header;
  const toField = (name: string, offset: number, f: NpyDescr['fields'][number]) => ({
    name,
    dtype: f.type.dtype,
    littleEndian: f.type.littleEndian,
    width: f.width,
    offset,
    ...(f.type.isBool ? { bool: true } : {}),
  });
  if (shape.length === 1) {
    checkColumnCount(
      descr.fields.length,
      path,
      header.headerOffset,
      'save fewer fields, or group them as subarray fields',
    );
    const fields = descr.fields.map((f) => toField(descr.structured ? f.name : 'value', f.offset, f));
    return {
      layout: { kind: 'records', dataOffset, recordSize: descr.itemSize, fields },
      totalRows: shape[0],
    };
  }
  const [rows, cols] = shape;
  checkColumnCount(
    cols,
    path,
    header.headerOffset,
    'each column of a 2-D array becomes a column c0, c1, …: save fewer columns, or the array as 1-D (arr.reshape(-1)) or transposed (np.ascontiguousarray(arr.T))',
  );
  const scalar = descr.fields[0];
  const names = Array.from({ length: cols }, (_, j) => `c${j}`);
  if (!header.fortranOrder) {
    const fields = names.map((name, j) => toField(name, j * descr.itemSize, scalar));
    return {
      layout: { kind: 'records', dataOffset, recordSize: cols * descr.itemSize, fields },
      totalRows: rows,
    };
  }
  const columns = names.map((name, j) => {
    const { offset: _offset, ...field } = toField(name, 0, scalar);
    return { ...field, fileOffset: dataOffset + j * rows * descr.itemSize };
  });
  return { layout: { kind: 'columnar', columns }, totalRows: rows };
}

/**
 * The data must be exactly shape × itemsize bytes: a short file is truncated, a long one
 * suspicious. The product is formed without overflow: a shape whose bytes exceed 2^53 (no
 * file is that large) is FORMAT_INVALID, before any comparison.
 */
export function checkDataSize(header: NpyHeader, descr: NpyDescr, fileSize: number, path: string): void {
  const expected = dataBytesOf(header, descr, path);
  const actual = fileSize - header.dataOffset;
  if (expected === actual) return;
  const what = actual < expected ? 'truncated' : `followed by ${actual - expected} extra bytes`;
  throw new SluiceError(
    'SIZE_MISMATCH',
    `${path}: data is ${what}: shape ${JSON.stringify(header.shape)} × ${descr.itemSize} bytes needs ${expected} bytes after the header, the file has ${actual}`,
    {
      path,
      offset: header.dataOffset + Math.min(expected, actual),
      hint:
        actual < expected
          ? 'the file was cut short (an interrupted copy or write), or its header is corrupt; fetch or write it again'
          : 'the header does not describe all the data; re-save the array with numpy.save',
    },
  );
}

/** shape × itemsize as an exact integer; FORMAT_INVALID beyond Number.MAX_SAFE_INTEGER. */
function dataBytesOf(header: NpyHeader, descr: NpyDescr, path: string): number {
  const factors = [...header.shape, descr.itemSize];
  if (factors.includes(0)) return 0;
  let bytes = 1;
  for (const factor of factors) {
    if (!Number.isSafeInteger(factor) || factor < 0 || bytes > Number.MAX_SAFE_INTEGER / factor) {
      throw new SluiceError(
        'FORMAT_INVALID',
        `${path}: shape ${JSON.stringify(header.shape)} of ${descr.itemSize}-byte items is more than 2^53 bytes`,
        {
          path,
          offset: header.headerOffset,
          hint: 'no file is that large: the .npy header is corrupt; write the array again with numpy.save',
        },
      );
    }
    bytes *= factor;
  }
  return bytes;
}
