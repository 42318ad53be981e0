/**
 * Where an accumulator's result goes when its sink has an `out`: the one path every
 * accumulator sink (stats, histogram, histogram2d, psd, welch, spectrum-average) writes through.
 * An extension a table writer handles (.parquet, .arrow/.feather/.arrows, .h5/.hdf5, .npy,
 * .csv) gets the result as a table through `writeTable`, unless the sink keeps its own
 * encoding for it (a PSD's .npy is numpy's 2 × F `vstack([f, Pxx])`); .json the sink's own
 * bytes (JSON); any other extension is refused, naming those that work. Either way the file appears complete or not at all, and an
 * existing output fails the run before any data is read.
 */
import { existsSync } from 'node:fs';
import type { Column } from '../core/batch.ts';
import type { TypedArray } from '../core/dtype.ts';
import { SluiceError } from '../core/errors.ts';
import type { AtomicFile } from '../io/atomic-file.ts';
import { createAtomicFile } from '../io/atomic-file.ts';
import { TABLE_EXTENSIONS, writeTable, writerForPath } from '../formats/write-table.ts';

/** The extensions a result can be written to as a table. */
export { TABLE_EXTENSIONS } from '../formats/write-table.ts';

/** The extensions an accumulator sink writes its result to: JSON and every table writer's. */
export const RESULT_EXTENSIONS: readonly string[] = ['.json', ...TABLE_EXTENSIONS];

/** A result as a table: equal-row columns (a bare typed array is width 1) and their units. */
export interface ResultTable {
  readonly columns: Readonly<Record<string, TypedArray | Column>>;
  readonly units?: Readonly<Record<string, string>>;
  /** Samples per second of the data the result describes (a spectrum's), for the metadata. */
  readonly sampleRate?: number;
}

export interface ResultFileOptions<R> {
  readonly overwrite: boolean;
  /** The file's bytes for extensions no table writer takes (and those in `encoded`). */
  readonly encode: (result: R) => Uint8Array | string;
  /** The result as a table, for the table writers' extensions. */
  readonly table?: (result: R) => ResultTable;
  /** Extensions (lower case, with the dot) written by `encode` even though a table writer takes them. */
  readonly encoded?: readonly string[];
  /** The input file, recorded in the table's metadata. */
  readonly source?: string;
}

/** An opened result output: `write` once with the result, or `abort`. */
export interface ResultFile<R> {
  readonly path: string;
  write(result: R): Promise<void>;
  abort(): Promise<void>;
}

/** Whether `path` is written as a table (given the sink's own `encoded` extensions). */
export function isTableOutput(path: string, encoded: readonly string[] = []): boolean {
  const lower = path.toLowerCase();
  return writerForPath(path) !== undefined && !encoded.some((ext) => lower.endsWith(ext));
}

export async function openResultFile<R>(path: string, options: ResultFileOptions<R>): Promise<ResultFile<R>> {
  const { table } = options;
  const lower = path.toLowerCase();
  const writable = [...(table ? RESULT_EXTENSIONS : ['.json']), ...(options.encoded ?? [])];
  if (!writable.some((ext) => lower.endsWith(ext))) {
    throw new SluiceError(
      'PARAMS_INVALID',
      `cannot write a result to ${path}: nothing writes that extension`,
      {
        path,
        hint: `End the name in ${writable.join(', ')}.`,
      },
    );
  }
  if (table && isTableOutput(path, options.encoded)) {
    // The writer opens its temporary file when the result exists; refuse an existing output now.
    if (!options.overwrite && existsSync(path)) {
      throw new SluiceError('OUTPUT_EXISTS', `output ${path} already exists`, {
        path,
        hint: 'use --overwrite',
      });
    }
    return {
      path,
      write: async (result) => {
        const t = table(result);
        await writeTable(path, t.columns, {
          overwrite: options.overwrite,
          // A result is a few kB: snappy, which every Parquet reader decodes (hyparquet has no zstd).
          formatOptions: { parquet: { compression: 'snappy' } },
          schema: {
            ...(options.source ? { source: options.source } : {}),
            ...(t.sampleRate === undefined ? {} : { sampleRate: t.sampleRate }),
            units: t.units,
          },
        });
      },
      abort: async () => {},
    };
  }
  const file = await createAtomicFile(path, { overwrite: options.overwrite });
  return {
    path,
    write: (result) => commitBytes(file, options.encode(result)),
    abort: () => file.abort(),
  };
}

async function commitBytes(file: AtomicFile, bytes: Uint8Array | string): Promise<void> {
  try {
    await file.write(bytes);
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
}
