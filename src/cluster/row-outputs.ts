/**
 * Outputs that keep the rows (a writer sink after steps that keep or filter rows: EPOS →
 * reflectron → HDF5/Parquet), written by many shards into one file that holds the local run's
 * rows in the local run's order. The way depends on the format (the writer sinks are named
 * here, the one place the cluster knows them):
 *
 * - `regions` (hdf5 `layout: columns` with contiguous datasets, npy): the submitting run
 *   creates the file under a hidden name beside the output, with its metadata and every
 *   dataset sized (formats/hdf5/regions.ts, formats/npy/regions.ts); each shard writes its
 *   rows at their offsets and fsyncs; the root renames the file to the output.
 * - `parquet`: each shard writes a whole Parquet part with the sink's own writer; the root
 *   joins the parts without decoding a page (formats/parquet/concat.ts).
 * - `parquet-parts` (`out` ending in `/`): the parts become `part-00000.parquet`, ... of that
 *   directory, which DuckDB and Polars read as one table (`dir/*.parquet`).
 */
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import { requireColumns } from '../core/schema.ts';
import { createAtomicFile, temporaryName } from '../io/atomic-file.ts';
import { createContiguousColumns } from '../formats/hdf5/regions.ts';
import { isContiguous } from '../formats/hdf5/writer.ts';
import type { Hdf5WriteOptions } from '../formats/hdf5/writer.ts';
import { createNpyRecords } from '../formats/npy/regions.ts';
import { concatParquetFiles } from '../formats/parquet/concat.ts';
import type { PreparedPipeline } from '../pipeline/prepare.ts';
import type { QueueRunDescription } from '../pipeline/queue-plan.ts';

/** A byte range per row of some columns: row r of the run is at offset + r × rowBytes. */
export interface RowRegion {
  readonly offset: number;
  readonly rowBytes: number;
  /** Indices into the output's columns, packed in this order in each row. */
  readonly columns: readonly number[];
}

export type RowOutput =
  | {
      readonly kind: 'regions';
      readonly out: string;
      /** The file being filled, beside `out` (same filesystem), named after the run. */
      readonly temp: string;
      readonly columns: readonly string[];
      readonly regions: readonly RowRegion[];
    }
  | { readonly kind: 'parquet'; readonly out: string }
  | { readonly kind: 'parquet-parts'; readonly out: string };

/** The run's description as the cluster writes it: the plan, and how each sink's rows are written. */
export interface ClusterRun extends QueueRunDescription {
  /** By sink: how its rows are written, or null for an accumulator. */
  readonly rowOutputs: readonly (RowOutput | null)[];
}

/** Sinks that write rows rather than accumulate; those without a way here cannot run on a queue. */
const WRITERS = new Set(['parquet', 'arrow', 'hdf5', 'npy', 'csv', 'daf']);

/** The row group size of the first parquet sink, which shards should be a multiple of. */
export function parquetRowGroupRows(prepared: PreparedPipeline): number | undefined {
  const sink = prepared.plan.sinks.find((s) => s.stage.name === 'parquet');
  return sink ? Number(sink.params.rowGroupRows) : undefined;
}

/**
 * How each sink's rows are written. The files shards fill in place are created here, unless
 * the `previous` description of this run names them and they are there still; `created` says
 * when one was made, since shards finished before wrote into another file.
 */
export async function planRowOutputs(
  prepared: PreparedPipeline,
  run: QueueRunDescription,
  previous: ClusterRun | undefined,
): Promise<{ outputs: (RowOutput | null)[]; created: boolean }> {
  const schema = prepared.schemas[prepared.schemas.length - 1];
  let created = false;
  const outputs: (RowOutput | null)[] = [];
  for (const [i, sink] of prepared.plan.sinks.entries()) {
    const name = sink.stage.name;
    const target = run.definition.sinks[i].out;
    if (!WRITERS.has(name) || typeof target !== 'string') {
      outputs.push(null);
      continue;
    }
    if (name === 'parquet') {
      outputs.push({ kind: target.endsWith('/') ? 'parquet-parts' : 'parquet', out: target });
      continue;
    }
    if (name !== 'hdf5' && name !== 'npy')
      throw unsupported(sink.pointer, name, 'its files cannot be joined yet');
    const rows = prepared.sinkRows;
    if (rows === undefined)
      throw unsupported(sink.pointer, name, 'a step before it changes the number of rows');
    const params = sink.params as unknown as Hdf5WriteOptions & { readonly columns?: string[] };
    if (name === 'hdf5' && (params.layout !== 'columns' || !isContiguous(params, rows))) {
      throw unsupported(
        sink.pointer,
        name,
        'only contiguous datasets (layout: columns, no compression) are filled in place',
      );
    }
    const before = previous?.rowOutputs[i];
    if (before?.kind === 'regions' && existsSync(before.temp)) {
      outputs.push(before);
      continue;
    }
    created = true;
    const columns = requireColumns(schema, params.columns, name);
    const temp = join(dirname(target), `.${basename(target)}.sluice-run-${run.id}`);
    await mkdir(dirname(target), { recursive: true });
    let regions: RowRegion[];
    if (name === 'hdf5') {
      const made = await createContiguousColumns(temp, columns, schema, params, rows);
      regions = made.offsets.map((offset, c) => ({ offset, rowBytes: made.rowBytes[c], columns: [c] }));
    } else {
      const made = await createNpyRecords(temp, columns, rows);
      regions = [{ ...made, columns: columns.map((_, c) => c) }];
    }
    outputs.push({ kind: 'regions', out: target, temp, columns: columns.map((c) => c.name), regions });
  }
  return { outputs, created };
}

/** Where a shard's Parquet part for sink `sink` goes in the scratch directory. */
export function partPath(runDir: string, pass: number, node: string, sink: number): string {
  return join(runDir, `p${pass}`, `${node}.sink${sink}.parquet`);
}

/**
 * The root's work for a row output once every shard is done: renames the filled file, or
 * joins the parts (`parts`, in row order), into the output; `overwrite` as the run's.
 */
export async function finishRowOutput(
  output: RowOutput,
  parts: readonly string[],
  overwrite: boolean,
): Promise<void> {
  switch (output.kind) {
    case 'regions':
      // Renamed by an attempt of the root that died before its marker: done.
      if (!existsSync(output.temp) && existsSync(output.out)) return;
      refuseExisting(output.out, overwrite);
      await rename(output.temp, output.out);
      await syncDirectory(dirname(output.out));
      return;
    case 'parquet': {
      const file = await createAtomicFile(output.out, { overwrite });
      try {
        await concatParquetFiles(parts, file);
        await file.commit();
      } finally {
        await file.abort();
      }
      return;
    }
    case 'parquet-parts':
      await writePartDirectory(output.out.replace(/\/+$/, ''), parts, overwrite);
  }
}

/** The parts as `part-00000.parquet`, ... of `dir`, which appears complete or not at all. */
async function writePartDirectory(dir: string, parts: readonly string[], overwrite: boolean): Promise<void> {
  refuseExisting(dir, overwrite);
  const temp = join(dirname(dir), temporaryName(basename(dir)));
  await mkdir(temp, { recursive: true });
  try {
    for (const [k, part] of parts.entries()) {
      const to = join(temp, `part-${String(k).padStart(5, '0')}.parquet`);
      // A hard link costs nothing and leaves the part for a root that runs again; a copy
      // where the scratch directory is on another filesystem.
      await link(part, to).catch(() => copyFile(part, to));
    }
    await syncDirectory(temp);
    if (existsSync(dir)) await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
    await syncDirectory(dirname(dir));
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

function refuseExisting(path: string, overwrite: boolean): void {
  if (overwrite || !existsSync(path)) return;
  throw new SluiceError('OUTPUT_EXISTS', `output ${path} already exists`, { path, hint: 'use --overwrite' });
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is done either way.
  } finally {
    await handle.close();
  }
}

function unsupported(pointer: string, name: string, why: string): SluiceError {
  return new SluiceError('USAGE', `${pointer} (${name}) cannot be written by many workers: ${why}`, {
    hint:
      'On a queue, write parquet (one file, or a directory of parts with `out: dir/`), npy, or hdf5 with ' +
      'layout: columns and no compression; or run this spec without --queue.',
  });
}
