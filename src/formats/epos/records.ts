/**
 * What the atom-probe sources share (EPOS, POS, APT): PyCCAPT's column names, which are the
 * same whatever the format, the `columns:` and `onRemainder:` params, and the fixed-record
 * big-endian layout of EPOS and POS files.
 */
import { z } from 'zod';
import type { DType } from '../../core/dtype.ts';
import { SluiceError } from '../../core/errors.ts';
import type { RecordsLayout } from '../../io/table-reader.ts';

/** One field of a fixed record: its column name, type and unit (the schema's `unit`). */
export interface RecordField {
  readonly name: string;
  readonly dtype: DType;
  readonly unit?: string;
}

/**
 * EPOS record fields in file order (44 bytes: nine float32, two uint32), under PyCCAPT's names,
 * with their units: they travel in the schema to Arrow and Parquet field metadata and HDF5
 * `unit` attributes, as after `to-pyccapt`.
 */
export const EPOS_FIELDS: readonly RecordField[] = [
  { name: 'x (nm)', dtype: 'float32', unit: 'nm' },
  { name: 'y (nm)', dtype: 'float32', unit: 'nm' },
  { name: 'z (nm)', dtype: 'float32', unit: 'nm' },
  { name: 'm/n (Da)', dtype: 'float32', unit: 'Da' },
  { name: 'TOF (ns)', dtype: 'float32', unit: 'ns' },
  { name: 'HV_DC (V)', dtype: 'float32', unit: 'V' },
  { name: 'pulse (V)', dtype: 'float32', unit: 'V' },
  { name: 'det_x (mm)', dtype: 'float32', unit: 'mm' },
  { name: 'det_y (mm)', dtype: 'float32', unit: 'mm' },
  { name: 'pslep', dtype: 'uint32' },
  { name: 'ipp', dtype: 'uint32' },
];

/** POS records are the first four EPOS fields (16 bytes). */
export const POS_FIELDS = EPOS_FIELDS.slice(0, 4);

export const onRemainderField = z
  .enum(['error', 'warn'])
  .default('error')
  .describe(
    'A file size that is not a whole number of records: error (SIZE_MISMATCH naming the remainder) or warn (log it and ignore the trailing bytes, as PyCCAPT does).',
  );

/** A `columns:` param choosing among `names`, in any order, each at most once. */
export function columnsField(names: readonly string[]) {
  return z
    .array(z.enum(names as [string, ...string[]]))
    .min(1)
    .refine((list) => new Set(list).size === list.length, 'column names must be unique')
    .optional()
    .describe(
      `Columns to read, in the order given; only those are decoded. Default: all (${names.join(', ')}).`,
    );
}

/**
 * Fixed records of big-endian 4-byte fields, keeping only `wanted` (all when absent), in the
 * order asked for: the others are never decoded.
 */
export function bigEndianRecords(
  fields: readonly RecordField[],
  wanted: readonly string[] | undefined,
): RecordsLayout {
  const all = fields.map((f, i) => ({ ...f, littleEndian: false, width: 1, offset: 4 * i }));
  const chosen = wanted ? wanted.map((name) => all.find((f) => f.name === name)!) : all;
  return { kind: 'records', dataOffset: 0, recordSize: 4 * fields.length, fields: chosen };
}

/**
 * Whole records in a headerless file. A remainder is SIZE_MISMATCH naming it, unless
 * `onRemainder` is warn: then it is logged and the trailing bytes ignored.
 */
export function wholeRecordCount(
  path: string,
  fileSize: number,
  recordSize: number,
  format: string,
  onRemainder: 'error' | 'warn',
  log: (message: string) => void,
): number {
  const rows = Math.floor(fileSize / recordSize);
  const remainder = fileSize - rows * recordSize;
  if (remainder === 0) return rows;
  const what = `${path}: ${fileSize} bytes are not whole ${recordSize}-byte ${format} records (${remainder} bytes remain after ${rows} records)`;
  if (onRemainder === 'warn') {
    log(`${what}; ignoring the trailing ${remainder} bytes`);
    return rows;
  }
  throw new SluiceError('SIZE_MISMATCH', what, {
    path,
    offset: rows * recordSize,
    hint: `the file is truncated or not ${format}; set onRemainder: warn to read the ${rows} whole records and ignore the rest`,
  });
}

/** The whole records of a headerless EPOS or POS file, with its facts for `sluice inspect`. */
export function fixedRecordTable(
  path: string,
  fileSize: number,
  layout: RecordsLayout,
  format: string,
  onRemainder: 'error' | 'warn',
  log: (message: string) => void,
): { layout: RecordsLayout; totalRows: number; details: Record<string, unknown> } {
  const totalRows = wholeRecordCount(path, fileSize, layout.recordSize, format, onRemainder, log);
  const details = {
    recordBytes: layout.recordSize,
    byteOrder: 'big',
    totalRows,
    trailingBytes: fileSize - totalRows * layout.recordSize,
  };
  return { layout, totalRows, details };
}
