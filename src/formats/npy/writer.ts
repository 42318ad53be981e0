/**
 * NumPy .npy, the writer side (numpy.load opens what it writes): one column as a plain array
 * (a width-k column as a 2-D (rows, k) array), several as a 1-D structured array with one
 * field per column (width-k fields as sub-arrays). The header is written first with room to
 * spare and its shape rewritten when the stream ends.
 */
import { itemSizeOf } from '../../core/dtype.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';
import type { NpyHeaderFields } from './header.ts';
import { formatNpyHeader, formatNpyTypeString } from './header.ts';
import type { PyValue } from './py-literal.ts';
import { pyList, pyTuple } from './py-literal.ts';
import type { ColumnChunk, TableEncoder, WriteTarget } from '../table-encoder.ts';
import { RecordPacker, toBytes } from '../table-encoder.ts';

/** Opens `path` (a temporary file until `finish`) for rows of `columns`. */
export async function openNpyWriter(
  path: string,
  columns: readonly ColumnSchema[],
  target: WriteTarget,
): Promise<TableEncoder> {
  const file = await createAtomicFile(path, { overwrite: target.overwrite });
  return new NpyEncoder(file, columns);
}

/** The header of `rows` rows of `columns`, as numpy.save writes it. */
export function npyHeaderFields(columns: readonly ColumnSchema[], rows: number): NpyHeaderFields {
  if (columns.length === 1) {
    const [c] = columns;
    return {
      descr: formatNpyTypeString(c.dtype),
      fortranOrder: false,
      shape: c.width === 1 ? [rows] : [rows, c.width],
    };
  }
  return { descr: structuredDescr(columns), fortranOrder: false, shape: [rows] };
}

/** `[('a', '<f4'), ('seg', '<f8', (k,))]`: one field per column, packed in order. */
export function structuredDescr(columns: readonly ColumnSchema[]): PyValue {
  return pyList(
    columns.map((c) =>
      c.width === 1
        ? pyTuple(c.name, formatNpyTypeString(c.dtype))
        : pyTuple(c.name, formatNpyTypeString(c.dtype), pyTuple(c.width)),
    ),
  );
}

/** Bytes of one packed record of `columns`. */
export function recordSizeOf(columns: readonly ColumnSchema[]): number {
  return columns.reduce((sum, c) => sum + itemSizeOf(c.dtype) * c.width, 0);
}

export class NpyEncoder implements TableEncoder {
  private rows = 0;
  private readonly headerLength: number;
  private started = false;
  private readonly packer = new RecordPacker();

  constructor(
    private readonly file: AtomicFile,
    private readonly columns: readonly ColumnSchema[],
  ) {
    this.headerLength = formatNpyHeader(npyHeaderFields(columns, 0)).length;
  }

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    if (!this.started) await this.writeHeader();
    if (chunks.length === 1) await this.file.write(toBytes(chunks[0].data));
    else await this.file.write(this.packer.pack(chunks, rows));
    this.rows += rows;
  }

  async finish(): Promise<void> {
    if (!this.started) await this.writeHeader();
    const header = formatNpyHeader(npyHeaderFields(this.columns, this.rows));
    // numpy pads the growing axis so the header keeps its length; a mismatch would corrupt the data.
    if (header.length !== this.headerLength) throw new RangeError('npy header length changed');
    await this.file.handle.write(header, 0, header.length, 0);
    await this.file.commit();
  }

  abort(): Promise<void> {
    return this.file.abort();
  }

  private async writeHeader(): Promise<void> {
    this.started = true;
    await this.file.write(formatNpyHeader(npyHeaderFields(this.columns, 0)));
  }
}
