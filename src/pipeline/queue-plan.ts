/**
 * A run planned for the queue (docs/design.md §8): the input's row range cut into shards, each a
 * row range that its worker reads with the look-back it needs (docs/design.md §2), and the merge
 * tree over them. The plan is data: written once to the scratch directory as the run's
 * description, it is all a worker on another machine needs, with the paths made absolute.
 * Its id is a hash of the spec (stages and params), the input's identity (path, size, mtime)
 * and the cuts, so the same command names the same run, shards and jobs again.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { SluiceError } from '../core/errors.ts';
import type { PipelineDefinition, StageRef } from './api.ts';
import type { PreparedPipeline } from './prepare.ts';
import { shardSinkRef } from './sharded.ts';
import type { StagePlan } from './validate.ts';

/** Input bytes per shard unless `shardRows` says otherwise. */
export const DEFAULT_SHARD_BYTES = 256 * 2 ** 20;
/** Children per merge node unless `fanout` says otherwise. */
export const DEFAULT_MERGE_FANOUT = 32;
export const MIN_MERGE_FANOUT = 2;
/** Bump when what a shard's state file holds changes: runs of another layout are not reused. */
const LAYOUT_VERSION = 1;

export interface QueuePlanOptions {
  /** Rows per shard; default about DEFAULT_SHARD_BYTES of input. */
  readonly shardRows?: number;
  /** Children per merge node (16–64 suit most runs); default DEFAULT_MERGE_FANOUT. */
  readonly fanout?: number;
  /** The root may replace existing outputs. Not part of the run's identity. */
  readonly overwrite?: boolean;
  /** The directory relative paths are resolved against; default the process's. */
  readonly cwd?: string;
  /**
   * Where the run keeps its states (absolute): part of its identity, so two runs of one spec
   * with different scratch directories never share jobs.
   */
  readonly scratch?: string;
}

/** Everything a worker needs to run any task of the run: written to scratch as run.json. */
export interface QueueRunDescription {
  readonly version: number;
  /** Hash of the spec, the input's identity and the cuts: a prefix of every job id. */
  readonly id: string;
  readonly name?: string;
  /** Stages and params with every default filled in and input/output paths absolute. */
  readonly definition: Required<Omit<PipelineDefinition, 'name' | 'report'>>;
  /** The sinks shards and merge nodes run: without outputs, a wrapping sink's inner one. */
  readonly shardSinks: readonly StageRef[];
  readonly input: { readonly path: string; readonly size: number; readonly mtimeMs: number };
  /** The row range the run covers and the row segments align to. */
  readonly startRow: number;
  readonly endRow: number;
  readonly origin: number;
  readonly bytes: number;
  /** 2 when a sink asks for a pass over the input before the main one. */
  readonly passes: number;
  readonly shardRows: number;
  readonly fanout: number;
  /** The scratch directory it was planned for (null when none was given). */
  readonly scratch: string | null;
  /** Absolute paths of every output the sinks write. */
  readonly outputs: readonly string[];
  readonly overwrite: boolean;
}

/** A leaf of the merge tree: one row range. */
export interface ShardNode {
  readonly name: string;
  readonly startRow: number;
  readonly endRow: number;
}

/** A merge node: its children's states (shards or merge nodes, in row order) merged into one. */
export interface MergeNode {
  readonly name: string;
  readonly level: number;
  readonly children: readonly string[];
}

/** One pass's tree: shards at the bottom, merge levels above, the root's children on top. */
export interface PassTree {
  readonly pass: number;
  readonly shards: readonly ShardNode[];
  /** levels[0] merges shards, levels[1] merges levels[0], ...; empty when the root can take them all. */
  readonly levels: readonly (readonly MergeNode[])[];
  readonly rootChildren: readonly string[];
}

export const ROOT_NODE = 'root';

/** Plans a prepared (header-read) pipeline for the queue; reads only the input's stat. */
export function planQueueRun(
  prepared: PreparedPipeline,
  options: QueuePlanOptions = {},
): QueueRunDescription {
  const { plan, source } = prepared;
  const cwd = options.cwd ?? process.cwd();
  const startRow = Number(plan.source.params.startRow ?? 0);
  if (!('startRow' in plan.source.params)) {
    throw new SluiceError('USAGE', `${plan.source.stage.name} sources cannot be split into row ranges`, {
      hint: 'Run this spec without --queue.',
    });
  }
  const inputPath = resolve(cwd, source.path);
  const stat = statSync(inputPath);
  const definition = {
    source: absoluteRef(plan.source, plan.source.stage.inputs(plan.source.params), cwd),
    steps: plan.steps.map((step) => asRef(step)),
    sinks: plan.sinks.map((sink) => absoluteRef(sink, sink.stage.outputs(sink.params), cwd)),
  };
  const shardSinks = plan.sinks.map(shardSinkRef);
  const shardRows = options.shardRows ?? defaultShardRows(source.rows, source.bytes);
  const fanout = options.fanout ?? DEFAULT_MERGE_FANOUT;
  checkCounts(shardRows, fanout);
  const identity = {
    version: LAYOUT_VERSION,
    definition,
    shardSinks,
    input: { path: inputPath, size: stat.size, mtimeMs: stat.mtimeMs },
    startRow,
    endRow: startRow + source.rows,
    origin: source.schema.origin ?? startRow,
    shardRows,
    fanout,
    scratch: options.scratch ?? null,
  };
  return {
    ...identity,
    id: `sl${createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 20)}`,
    name: plan.name,
    bytes: source.bytes,
    passes: prepared.passes,
    outputs: plan.sinks.flatMap((sink) =>
      sink.stage.outputs(sink.params).map((out) => absolutePath(cwd, out)),
    ),
    overwrite: options.overwrite ?? false,
  };
}

/** About DEFAULT_SHARD_BYTES of input per shard, at least one row. */
export function defaultShardRows(rows: number, bytes: number): number {
  const rowBytes = rows > 0 ? bytes / rows : 1;
  return Math.max(1, Math.floor(DEFAULT_SHARD_BYTES / Math.max(rowBytes, 1e-9)));
}

/** The tree of `pass`: shards of `shardRows` rows, merge nodes of at most `fanout` children. */
export function passTree(run: QueueRunDescription, pass: number): PassTree {
  const shards: ShardNode[] = [];
  for (let start = run.startRow; start < run.endRow; start += run.shardRows) {
    const end = Math.min(start + run.shardRows, run.endRow);
    shards.push({ name: `rows-${start}-${end}`, startRow: start, endRow: end });
  }
  if (shards.length === 0) shards.push({ name: `rows-${run.startRow}-${run.endRow}`, ...rowsOf(run) });
  const levels: MergeNode[][] = [];
  let below = shards.map((s) => ({ name: s.name, first: s.startRow, last: s.endRow }));
  while (below.length > run.fanout) {
    const level = levels.length + 1;
    const nodes: MergeNode[] = [];
    const next: typeof below = [];
    for (let i = 0; i < below.length; i += run.fanout) {
      const group = below.slice(i, i + run.fanout);
      const first = group[0].first;
      const last = group[group.length - 1].last;
      const name = `merge${level}-${first}-${last}`;
      nodes.push({ name, level, children: group.map((g) => g.name) });
      next.push({ name, first, last });
    }
    levels.push(nodes);
    below = next;
  }
  return { pass, shards, levels, rootChildren: below.map((b) => b.name) };
}

/**
 * The pipeline a task builds: for a shard, the source limited to its rows (segments still
 * aligned to the run's origin); without `outputs`, the sinks a shard runs (sharded.ts
 * `shardSinkRef`: no file named, a wrapping sink's inner one), so that nothing but the root
 * ever writes the spec's outputs.
 */
export function taskDefinition(
  run: QueueRunDescription,
  range: { readonly startRow: number; readonly endRow: number } = rowsOf(run),
  outputs = false,
): PipelineDefinition {
  const { source, steps, sinks } = run.definition;
  return {
    name: run.name,
    source: { ...source, startRow: range.startRow, endRow: range.endRow, origin: run.origin },
    steps,
    sinks: outputs ? sinks : run.shardSinks,
  };
}

/** A job id: the run's id, the pass and the node; never ':' and never an integer (BullMQ). */
export function jobIdOf(run: QueueRunDescription, pass: number, node: string): string {
  return `${run.id}-p${pass}-${node}`;
}

function rowsOf(run: QueueRunDescription): { startRow: number; endRow: number } {
  return { startRow: run.startRow, endRow: run.endRow };
}

function checkCounts(shardRows: number, fanout: number): void {
  if (!Number.isSafeInteger(shardRows) || shardRows < 1) {
    throw new SluiceError('USAGE', `--shard-rows must be a positive integer, got ${shardRows}`, {
      hint: 'e.g. --shard-rows 16777216; the default is about 256 MiB of input per shard',
    });
  }
  if (!Number.isSafeInteger(fanout) || fanout < MIN_MERGE_FANOUT) {
    throw new SluiceError(
      'USAGE',
      `a merge node needs at least ${MIN_MERGE_FANOUT} children, got ${fanout}`,
      {
        hint: `the default is ${DEFAULT_MERGE_FANOUT}`,
      },
    );
  }
}

function asRef(stage: StagePlan): StageRef {
  return { type: stage.stage.name, ...stage.params };
}

/** The stage's reference with `paths` (its inputs or outputs, wherever in its params) absolute. */
function absoluteRef(stage: StagePlan, paths: readonly string[], cwd: string): StageRef {
  const absolute = new Map(paths.map((path) => [path, absolutePath(cwd, path)]));
  return { type: stage.stage.name, ...replacePaths(stage.params, absolute) };
}

/** `path` from `cwd`; a trailing `/` (an output directory) stays. */
function absolutePath(cwd: string, path: string): string {
  return `${resolve(cwd, path)}${path.endsWith('/') ? '/' : ''}`;
}

function replacePaths<T>(value: T, paths: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') return (paths.get(value) ?? value) as T;
  if (Array.isArray(value)) return value.map((item) => replacePaths(item, paths)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replacePaths(v, paths)])) as T;
  }
  return value;
}
