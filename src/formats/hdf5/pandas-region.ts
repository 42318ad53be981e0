/**
 * The pandas table (`layout: pandas`) when the row count is known before the run: h5wasm
 * writes the metadata (pandas-skeleton.ts), sluice the chunk index (allocate-chunks.ts), and
 * the chunks lie back to back in row order, so the packed records (pandas-records.ts) of row
 * r are at `offset + r × rowBytes`: one region, written like a contiguous dataset, behind the
 * caller (io/region-writer.ts). Any writer may fill any row range; the file is complete once
 * every row is. EPOS 1.2 GB → to-pyccapt → reflectron → this table (measured on a loaded
 * 2-core machine): two thirds of the time and of the CPU time of h5wasm's chunked writes
 * (pandas-table.ts), the records byte for byte the same, 8% more time than contiguous columns:
 * packing the records (pandas-records.ts) is the difference.
 */
import { open } from 'node:fs/promises';
import { SluiceError } from '../../core/errors.ts';
import type { ColumnSchema } from '../../core/schema.ts';
import type { AtomicFile } from '../../io/atomic-file.ts';
import { RegionWriter } from '../../io/region-writer.ts';
import type { ColumnChunk, TableEncoder } from '../table-encoder.ts';
import { allocateChunkedRows } from './allocate-chunks.ts';
import { pandasChunkRows, pandasFields, pandasRowBytes } from './pandas-attributes.ts';
import { PandasRecordPacker } from './pandas-records.ts';
import { writePandasSkeleton } from './pandas-skeleton.ts';
import type { SizedFor } from './sized-rows.ts';
import { SizedRows } from './sized-rows.ts';

/** Where the records of a pandas table sized in advance are. */
export interface PandasTableRegion {
  /** The file. */
  readonly path: string;
  /** File offset of row 0's record (a multiple of 4096). */
  readonly offset: number;
  /** Bytes of one record: the int64 index, then the fields (PandasRecordPacker packs them). */
  readonly rowBytes: number;
  readonly chunkRows: number;
}

/** The table's key and the chunk size asked for (capped at 512 KiB of records). */
export interface PandasRegionOptions {
  readonly key: string;
  readonly chunkRows: number;
}

/** Creates `path` (replacing it): a pandas table of `columns` sized for `rows` rows. */
export async function createPandasTableRegion(
  path: string,
  columns: readonly ColumnSchema[],
  options: PandasRegionOptions,
  rows: number,
): Promise<PandasTableRegion> {
  const headerAddress = await writeTable(path, path, columns, options, rows);
  const handle = await open(path, 'r+');
  try {
    const { offset, rowBytes, chunkRows } = await allocateChunkedRows(handle, path, headerAddress, rows);
    await handle.sync();
    return { path, offset, rowBytes, chunkRows };
  } finally {
    await handle.close();
  }
}

/** The metadata, written at `tempPath`; returns the table's object header address. */
function writeTable(
  tempPath: string,
  name: string,
  columns: readonly ColumnSchema[],
  options: PandasRegionOptions,
  rows: number,
): Promise<number> {
  const fields = pandasFields(columns);
  const chunk = pandasChunkRows(pandasRowBytes(fields), options.chunkRows);
  return writePandasSkeleton({ path: tempPath, name, fields, key: options.key, chunk, rows });
}

/** Records packed and handed to the writer this many bytes at a time: a block stays in L2 cache. */
const BLOCK_BYTES = 256 * 1024;

/** The table's encoder when the row count is known and nothing is compressed. */
const SIZED_FOR: SizedFor = {
  what: 'a pandas table',
  hint: 'The input changed while it was read, or this is a bug: please report it (compression: gzip writes the table through h5wasm, without sizing it in advance).',
};

export class PandasRecordsEncoder implements TableEncoder {
  private readonly blockRows: number;

  private constructor(
    private readonly sized: SizedRows,
    private readonly packer: PandasRecordPacker,
  ) {
    this.blockRows = Math.max(1, Math.floor(BLOCK_BYTES / packer.rowBytes));
  }

  /** Creates the file's metadata, index and storage for `totalRows` rows. */
  static async open(
    file: AtomicFile,
    columns: readonly ColumnSchema[],
    options: PandasRegionOptions,
    totalRows: number,
  ): Promise<PandasRecordsEncoder> {
    const headerAddress = await writeTable(file.tempPath, file.path, columns, options, totalRows);
    const { offset } = await allocateChunkedRows(file.handle, file.tempPath, headerAddress, totalRows);
    const writer = await RegionWriter.open(file.handle, file.tempPath, [offset], file.path);
    const sized = new SizedRows(file, writer, totalRows, SIZED_FOR);
    return new PandasRecordsEncoder(sized, new PandasRecordPacker(columns));
  }

  async write(chunks: readonly ColumnChunk[], rows: number): Promise<void> {
    const first = this.sized.take(rows);
    for (let from = 0; from < rows; from += this.blockRows) {
      const n = Math.min(this.blockRows, rows - from);
      await this.sized.writer.append(0, this.packer.pack(chunks, from, n, first + from));
    }
  }

  /**
   * Appends `rows` records already packed by a PandasRecordPacker for the next rows (row
   * numbers included), e.g. by a worker thread; copied before the promise settles.
   */
  async writeRecords(records: Uint8Array, rows: number): Promise<void> {
    this.sized.take(rows);
    if (records.length !== rows * this.packer.rowBytes) {
      throw new SluiceError('STAGE_FAILED', `hdf5: ${records.length} bytes of records for ${rows} rows`, {
        path: this.sized.path,
        hint: `a bug: records of this table are ${this.packer.rowBytes} bytes; please report it`,
      });
    }
    await this.sized.writer.append(0, records);
  }

  finish(): Promise<void> {
    return this.sized.finish();
  }

  abort(): Promise<void> {
    return this.sized.abort();
  }
}
