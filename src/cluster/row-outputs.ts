/**
 * Outputs that keep the rows (a writer sink after steps that keep or filter rows: EPOS →
 * reflectron → HDF5/Parquet), written by many shards into one file that holds the local run's
 * rows in the local run's order. The way depends on the format (the writer sinks are named
 * here, the one place the cluster knows them):
 *
 * - `regions` (the formats pipeline/row-regions.ts lists: hdf5 `layout: columns` with contiguous
 *   datasets or an uncompressed `layout: pandas` table, npy): the submitting run creates the file under a hidden name beside the output,
 *   with its metadata and every row's place allocated; each shard writes its rows at their
 *   offsets and fsyncs (pipeline/region-sink.ts); the root renames the file to the output.
 * - `parquet`: each shard writes a whole Parquet part with the sink's own writer; the root
 *   joins the parts without decoding a page (formats/parquet/concat.ts).
 * - `parquet-parts` (`out` ending in `/`): the parts become `part-00000.parquet`, ... of that
 *   directory, which DuckDB and Polars read as one table (`dir/*.parquet`).
 */
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import { createAtomicFile, temporaryName } from '../io/atomic-file.ts';
import { concatParquetFiles } from '../formats/parquet/concat.ts';
import type { PreparedPipeline } from '../pipeline/prepare.ts';
import type { QueueRunDescription } from '../pipeline/queue-plan.ts';
import type { RegionOutput } from '../pipeline/row-regions.ts';
import {
  createRegionOutput,
  refuseExisting,
  regionFormatOf,
  syncDirectory,
} from '../pipeline/row-regions.ts';

export type { RowRegion } from '../pipeline/row-regions.ts';

export type RowOutput =
  | RegionOutput
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
    const rows = prepared.sinkRows;
    if (rows === undefined)
      throw unsupported(sink.pointer, name, 'a step before it changes the number of rows');
    const format = regionFormatOf(name, sink.params, rows);
    if (!format) {
      throw unsupported(
        sink.pointer,
        name,
        'its files cannot be joined yet; of hdf5, only uncompressed tables sized in advance (layout: columns with contiguous datasets, layout: pandas) are filled in place',
      );
    }
    const before = previous?.rowOutputs[i];
    if (before?.kind === 'regions' && existsSync(before.temp)) {
      outputs.push(before);
      continue;
    }
    created = true;
    const temp = join(dirname(target), `.${basename(target)}.sluice-run-${run.id}`);
    outputs.push(await createRegionOutput(format, { ...sink.params, out: target }, schema, rows, temp));
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

function unsupported(pointer: string, name: string, why: string): SluiceError {
  return new SluiceError('USAGE', `${pointer} (${name}) cannot be written by many workers: ${why}`, {
    hint:
      'On a queue, write parquet (one file, or a directory of parts with `out: dir/`), npy, or hdf5 with ' +
      'no compression (layout: columns or pandas); or run this spec without --queue.',
  });
}
