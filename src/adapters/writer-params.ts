/**
 * The params of the table writers, as users write them: `writerFields` (the file, the
 * columns) that every writer sink starts with, and each format's own fields, whose defaults
 * are the format's (formats/<format>/writer.ts). A writer sink spreads both into its
 * `z.object({...})`; the spectrogram checks its `writer:` object against the same fields
 * (spectrogram-table.ts), so both take the same params.
 */
import { z } from 'zod';
import { ARROW_WRITE_DEFAULTS } from '../formats/arrow/writer.ts';
import { CSV_WRITE_DEFAULTS } from '../formats/csv/writer.ts';
import { HDF5_WRITE_DEFAULTS } from '../formats/hdf5/writer.ts';
import { PARQUET_WRITE_DEFAULTS } from '../formats/parquet/writer.ts';
import type { TableFormat } from '../formats/write-table.ts';

/** Fields every writer's params start with. */
export const writerFields = {
  out: z
    .string()
    .min(1)
    .describe('The file to write; it appears only when complete (temporary name, fsync, rename).'),
  columns: z
    .array(z.string().min(1))
    .min(1)
    .refine((names) => new Set(names).size === names.length, 'column names must not repeat')
    .optional()
    .describe('Columns to write, in this order; every column of the input, in its order, when absent.'),
};

export const csvWriterFields = {
  delimiter: z
    .string()
    .length(1)
    .default(CSV_WRITE_DEFAULTS.delimiter)
    .describe('Field separator (one character).'),
  header: z.boolean().default(CSV_WRITE_DEFAULTS.header).describe('Write a first line of column names.'),
};

export const arrowWriterFields = {
  format: z
    .enum(['auto', 'file', 'stream'])
    .default(ARROW_WRITE_DEFAULTS.format)
    .describe(
      'IPC file format (random access; .arrow, .feather) or stream format (.arrows); auto chooses by extension.',
    ),
};

export const parquetWriterFields = {
  rowGroupRows: z
    .number()
    .int()
    .min(1)
    .default(PARQUET_WRITE_DEFAULTS.rowGroupRows)
    .describe(
      'Rows per row group. Row groups are encoded on worker threads, a couple in flight each, so the writer holds a few row groups in memory.',
    ),
  compression: z
    .enum(['zstd', 'snappy', 'gzip', 'none'])
    .default(PARQUET_WRITE_DEFAULTS.compression)
    .describe('Codec of every column chunk.'),
  statistics: z
    .boolean()
    .default(PARQUET_WRITE_DEFAULTS.statistics)
    .describe('Write min/max/null-count statistics per column chunk.'),
  floatEncoding: z
    .enum(['plain', 'byte-stream-split'])
    .default(PARQUET_WRITE_DEFAULTS.floatEncoding ?? 'plain')
    .describe(
      "Encoding of the float columns: plain, or byte-stream-split (Parquet's BYTE_STREAM_SPLIT: each value's bytes grouped by position before compression; on the EPOS benchmark 7% smaller with zstd, in about 5% more time; DuckDB, Polars and pyarrow read it, older readers may not). Width-k columns stay plain.",
    ),
  threads: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'Threads encoding row groups, the main thread included (compression is most of the work); 1: the main thread alone. Default: the cores (1 inside a shard of a threaded run). The file is byte for byte the same at every count.',
    ),
};

export const hdf5WriterFields = {
  layout: z
    .enum(['columns', 'pandas'])
    .default(HDF5_WRITE_DEFAULTS.layout)
    .describe(
      'columns: one extensible chunked dataset per column (h5py, vaex); pandas: the PyTables table that pandas.HDFStore.append(key, df, format="table", data_columns=True) writes (pandas.read_hdf); width-k columns become k columns <name>_0…',
    ),
  group: z
    .string()
    .min(1)
    .default(HDF5_WRITE_DEFAULTS.group)
    .describe('Group the column datasets go under (layout columns); created with its parents.'),
  vaex: z
    .boolean()
    .default(HDF5_WRITE_DEFAULTS.vaex)
    .describe('Name datasets as vaex does, `/table/columns/<name>/data` (layout columns); overrides group.'),
  key: z
    .string()
    .min(1)
    .default(HDF5_WRITE_DEFAULTS.key)
    .describe('The pandas key (layout pandas): the table is /<key>/table.'),
  storage: z
    .enum(['auto', 'contiguous', 'chunked'])
    .default(HDF5_WRITE_DEFAULTS.storage)
    .describe(
      'layout columns: contiguous datasets are sized before the run and each batch is written straight to its file offset, behind the compute, with O_DIRECT where the filesystem allows (about twice as fast as chunked in `npm run bench`; readers can memory-map them, as vaex does); they need the row count in advance (every step keeps rows) and no compression. chunked datasets are extensible and written through the HDF5 library batch by batch. auto: contiguous when it can be, else chunked.',
    ),
  chunkRows: z
    .number()
    .int()
    .min(1)
    .default(HDF5_WRITE_DEFAULTS.chunkRows)
    .describe(
      'Rows per HDF5 chunk of each dataset (the unit of compression and of partial reads), for chunked storage.',
    ),
  compression: z
    .enum(['none', 'gzip'])
    .default(HDF5_WRITE_DEFAULTS.compression)
    .describe('gzip (deflate) filter on every dataset; none is several times faster to write.'),
  compressionLevel: z
    .number()
    .int()
    .min(0)
    .max(9)
    .default(HDF5_WRITE_DEFAULTS.compressionLevel)
    .describe('gzip level, as h5py compression_opts.'),
};

/** Each table format's own fields, by the format write-table.ts names. */
export const formatWriterFields = {
  parquet: parquetWriterFields,
  arrow: arrowWriterFields,
  hdf5: hdf5WriterFields,
  npy: {},
  csv: csvWriterFields,
} satisfies Record<TableFormat, z.ZodRawShape>;
