/**
 * Reads a mutated HDF5 file through the hdf5 source and judges the outcome: a SluiceError is
 * fine; values are fine when they equal the unmutated file's, or what libhdf5 itself (the
 * library h5py wraps) reads from the mutated file; anything else, an untyped error or values
 * libhdf5 would not give, is a failure. Used by mutations.test.ts.
 */
import type { Batch } from '../../../src/core/batch.ts';
import { SluiceError } from '../../../src/core/errors.ts';
import type { OpenSource } from '../../../src/core/stage.ts';
import { loadHdf5Library } from '../../../src/formats/hdf5/h5wasm-calls.ts';
import { concatBytes } from '../../../src/io/concat-bytes.ts';
import { openSource } from '../../sources/source-harness.ts';

/** A fixture and the selection read from it. */
export interface Selection {
  readonly file: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** What a read gave: each column's bytes, by column name, and the dataset each came from. */
export interface Table {
  readonly rows: number;
  readonly columns: Record<string, Uint8Array>;
  readonly datasets: Record<string, string>;
}

export type Outcome =
  | { readonly kind: 'typed'; readonly code: string }
  | { readonly kind: 'same' }
  | { readonly kind: 'as-libhdf5' }
  | { readonly kind: 'untyped'; readonly error: string }
  | { readonly kind: 'wrong'; readonly why: string };

/** Rows read at most: a mutated shape can claim 2^60 rows of fill values. */
const MAX_ROWS = 20_000;

/** Every column of `params` read from `path`, or the error it gave. */
export async function readTable(path: string, params: Readonly<Record<string, unknown>>): Promise<Table> {
  const source = await openSource('hdf5', { ...params, path, chunkRows: 4096 });
  const parts: Record<string, Uint8Array[]> = {};
  let rows = 0;
  try {
    for await (const batch of source.batches({ overlap: 0 })) {
      collect(batch, parts);
      rows += batch.rows;
      if (rows >= MAX_ROWS) break;
    }
  } finally {
    await source.close();
  }
  const columns = Object.fromEntries(Object.entries(parts).map(([name, p]) => [name, concatBytes(p)]));
  return { rows, columns, datasets: datasetsOf(source) };
}

function collect(batch: Batch, parts: Record<string, Uint8Array[]>): void {
  for (const [name, column] of Object.entries(batch.columns)) {
    const { data } = column;
    (parts[name] ??= []).push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
}

function datasetsOf(source: OpenSource): Record<string, string> {
  const entries = (source.details['datasets'] ?? []) as { column: string; dataset: string }[];
  return Object.fromEntries(entries.map((d) => [d.column, d.dataset]));
}

/** Judges one read of the mutated file at `path` against the unmutated `reference`. */
export async function judge(
  path: string,
  params: Readonly<Record<string, unknown>>,
  reference: Table,
): Promise<Outcome> {
  let table: Table;
  try {
    table = await readTable(path, params);
  } catch (error) {
    if (error instanceof SluiceError) return { kind: 'typed', code: error.code };
    return {
      kind: 'untyped',
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
  if (sameTable(table, reference)) return { kind: 'same' };
  const libhdf5 = await readWithLibhdf5(path, table);
  if (typeof libhdf5 === 'string') return { kind: 'wrong', why: `values where libhdf5 fails: ${libhdf5}` };
  if (sameColumns(table.columns, libhdf5)) return { kind: 'as-libhdf5' };
  return { kind: 'wrong', why: 'values differ from both the unmutated file and libhdf5' };
}

function sameTable(a: Table, b: Table): boolean {
  return a.rows === b.rows && sameColumns(a.columns, b.columns);
}

function sameColumns(a: Record<string, Uint8Array>, b: Record<string, Uint8Array>): boolean {
  const names = Object.keys(a);
  if (names.join() !== Object.keys(b).join()) return false;
  return names.every((n) => Buffer.compare(a[n], b[n]) === 0);
}

/** The rows `table` holds, read by libhdf5 (h5wasm hyperslabs), or its error message. */
async function readWithLibhdf5(path: string, table: Table): Promise<Record<string, Uint8Array> | string> {
  const library = await loadHdf5Library();
  try {
    const file = library.open(path);
    try {
      const out: Record<string, Uint8Array> = {};
      for (const [column, name] of Object.entries(table.datasets)) {
        const dataset = library.get(file, name, path);
        if (!(dataset instanceof library.h5wasm.Dataset)) return `no dataset ${name}`;
        const data = library.readRows(dataset, 0, table.rows, path) as ArrayBufferView;
        out[column] = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      }
      return out;
    } finally {
      library.close(file, path);
    }
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
