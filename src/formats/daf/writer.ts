/**
 * DataAxesFormats (daf), the writer side: a dense array, `<base>.array` holding the raw
 * little-endian values, 2-D row-major (rows × the summed widths of the columns; 1-D for a
 * single width-1 column), and `<base>.yaml` its description (format.ts). A daf array has one
 * element type, so every column written must have the same dtype.
 */
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { createAtomicFile } from '../../io/atomic-file.ts';
import { formatDafDenseYaml } from './format.ts';
import type { ColumnChunk, TableEncoder, WriteTarget } from '../table-encoder.ts';
import { RecordPacker, toBytes } from '../table-encoder.ts';

/** Opens `<base>.array` and `<base>.yaml` (temporary files until `finish`) for rows of `columns`. */
export async function openDafWriter(
  base: string,
  columns: readonly ColumnSchema[],
  target: WriteTarget,
): Promise<TableEncoder> {
  checkDafColumns(columns);
  const [arrayPath, yamlPath] = dafOutputs(base);
  const array = await createAtomicFile(arrayPath, { overwrite: target.overwrite });
  try {
    const yaml = await createAtomicFile(yamlPath, { overwrite: target.overwrite });
    return new DafEncoder(array, yaml, columns);
  } catch (error) {
    await array.abort();
    throw error;
  }
}

/** `<base>.array` and `<base>.yaml`. */
export function dafOutputs(base: string): [string, string] {
  return [`${base}.array`, `${base}.yaml`];
}

/** Refuses columns of several dtypes (a PARAMS_INVALID SluiceError). */
export function checkDafColumns(columns: readonly ColumnSchema[]): void {
  const dtypes = [...new Set(columns.map((c) => c.dtype))];
  if (dtypes.length > 1) {
    throw new SluiceError('PARAMS_INVALID', `daf: the columns have several dtypes (${dtypes.join(', ')})`, {
      hint: 'a daf array has one element type: choose columns of one dtype with `columns:`, or cast first',
    });
  }
}

/** The array's shape: [rows] for one width-1 column, [rows, summed widths] otherwise. */
export function dafShape(columns: readonly ColumnSchema[], rows: number): number[] {
  const width = columns.reduce((sum, c) => sum + c.width, 0);
  return columns.length === 1 && width === 1 ? [rows] : [rows, width];
}

export class DafEncoder implements TableEncoder {
  private rows = 0;
  private readonly packer = new RecordPacker();

  constructor(
    private readonly array: AtomicFile,
    private readonly yaml: AtomicFile,
    private readonly columns: readonly ColumnSchema[],
  ) {}

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    await this.array.write(chunks.length === 1 ? toBytes(chunks[0].data) : this.packer.pack(chunks, rows));
    this.rows += rows;
  }

  async finish(): Promise<void> {
    await this.yaml.write(formatDafDenseYaml(this.columns[0].dtype, dafShape(this.columns, this.rows)));
    // The data first: a .yaml under its final name promises a complete .array beside it.
    await this.array.commit();
    await this.yaml.commit();
  }

  async abort(): Promise<void> {
    await Promise.all([this.array.abort(), this.yaml.abort()]);
  }
}
