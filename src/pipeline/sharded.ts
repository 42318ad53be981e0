/**
 * The passes on several threads (docs/design.md §2): batches are self-contained, so the row
 * range splits into pieces, each read through the steps by one thread (shard-piece.ts): the main
 * thread and worker threads (shard-threads.ts) take the next piece as they become free, so a
 * thread that started late or a busy core costs no more than one piece. Accumulators' states
 * are merged here in row order; outputs that keep the rows are filled in place, each piece
 * writing its rows at their offsets (row-regions.ts), and renamed by the main thread at the end.
 *
 * By default every input of 256 MiB or more runs on every core, scans included, when every sink
 * can: an accumulator that sends its state (`toState`), or an output filled in place. Otherwise
 * the pass runs on the main thread alone. (Measured on 2 cores: a 64 MiB welch gains nothing
 * from a second thread, whose start-up costs ~0.2 s of CPU; a 1 GiB stats scan does.)
 */
import { availableParallelism } from 'node:os';
import type { SinkInstance, StageContext } from '../core/stage.ts';
import { createSink, prepassAccumulators, runPrepass } from './passes.ts';
import type { PreparedPipeline } from './prepare.ts';
import { openRegionOutputSink } from './region-output-sink.ts';
import type { RegionFormat, RegionOutput } from './row-regions.ts';
import { regionFormatOf } from './row-regions.ts';
import type { PassCounts, RunOptions } from './run-types.ts';
import type { PieceResult, PieceSink, PieceTask, ShardSetup, StageCall } from './shard-piece.ts';
import { runPiece } from './shard-piece.ts';
import { shardSink } from './shard-sinks.ts';
import type { ShardThreads } from './shard-threads.ts';
import { startShardThreads } from './shard-threads.ts';
import { loadStage } from './stage-modules.ts';
import type { PipelinePlan, StagePlan } from './validate.ts';

/** Below this much data, starting threads costs more than it saves. */
export const MIN_SHARDED_BYTES = 256 * 2 ** 20;
/**
 * Pieces per thread, at most: enough that a thread that starts late (loading its modules) or a
 * busy core costs little. Pieces are at least MIN_PIECE_BYTES of input (one per thread for a
 * small input), since each opens the source for its range (a CSV finds its first record).
 */
const PIECES_PER_THREAD = 4;
const MIN_PIECE_BYTES = 64 * 2 ** 20;
/**
 * Pieces of an output filled in place start on a multiple of this many rows, so each piece's
 * first byte in a region is 4 KiB-aligned when the region is (direct writes; no page shared).
 */
const REGION_ALIGN_ROWS = 4096;

/** Threads the passes may use, by the plan and the input: 1 when threads are impossible or not worth it. */
export async function plannedThreads(prepared: PreparedPipeline, options: RunOptions): Promise<number> {
  const { plan, source, overlap } = prepared;
  const minBytes = options.minThreadedBytes ?? MIN_SHARDED_BYTES;
  const wanted = options.workers ?? (source.bytes >= minBytes ? availableParallelism() : 1);
  if (wanted <= 1 || !(await isShardablePlan(plan))) return 1;
  return Math.max(1, Math.min(wanted, Math.floor(source.rows / Math.max(overlap, 1))));
}

/** The stages are the ones a worker finds by name (stage-modules.ts), and the source reads a row range. */
async function isShardablePlan(plan: PipelinePlan): Promise<boolean> {
  const stages = [plan.source, ...plan.steps, ...plan.sinks];
  const found = await Promise.all(stages.map((s) => loadStage(s.stage.name, s.stage.kind)));
  const known = found.every((stage, i) => stage === stages[i].stage);
  return known && 'startRow' in plan.source.params;
}

/**
 * A run on `threads` threads (the main one included). The worker threads start at the first
 * pass that can use them, and `close` ends them.
 */
export class ThreadedRun {
  private pool: ShardThreads | undefined;
  private readonly setup: ShardSetup;
  private readonly regions: (RegionOutput | undefined)[] = [];

  constructor(
    private readonly prepared: PreparedPipeline,
    private readonly ctx: StageContext,
    private readonly options: RunOptions,
    readonly threads: number,
  ) {
    const { plan, source } = prepared;
    const startRow = Number(plan.source.params.startRow ?? 0);
    this.setup = {
      source: { ...stageCall(plan.source), params: sharedChunks(plan.source.params, threads) },
      steps: plan.steps.map((step) => stageCall(step)),
      origin: source.schema.origin ?? startRow,
      runStart: startRow,
    };
  }

  /** The pre-pass, on every thread when each of its accumulators sends its state. */
  async prepass(): Promise<Map<number, unknown>> {
    const accumulators = prepassAccumulators(this.prepared);
    if (![...accumulators.values()].every((a) => typeof a.toState === 'function'))
      return runPrepass(this.prepared, this.ctx, this.options);
    // A wrapping sink's prepare is the sink's it wraps (plot of a histogram: the range).
    const sinks = this.prepared.plan.sinks.map((sink): PieceSink => ({
      kind: 'stage',
      call: stageCall(shardSink(sink), sink.pointer),
    }));
    this.ctx.log(`pre-pass on ${this.threads} threads`);
    await this.runPieces('prepass', sinks, [], (states) =>
      states.forEach((state, i) => state !== undefined && accumulators.get(i)?.merge(state as never)),
    );
    return new Map([...accumulators].map(([index, accumulator]) => [index, accumulator.result()]));
  }

  /**
   * Creates the sinks into `sinks` (by index, so a failure aborts those made): outputs filled in
   * place where every other sink is an accumulator that sends its state, else the plan's own.
   * True when the main pass can run on the threads.
   */
  async createSinks(
    overwrite: boolean,
    prepassResults: ReadonlyMap<number, unknown>,
    sinks: SinkInstance[],
  ): Promise<boolean> {
    const { prepared, ctx } = this;
    const asked = this.options.workers !== undefined;
    const formats = prepared.plan.sinks
      .map((s) => regionFormatOf(s.stage.name, s.params, prepared.sinkRows))
      .map((f) => (f && (asked || f.threadedByDefault) ? f : undefined));
    for (const [i, format] of formats.entries()) {
      if (!format) sinks[i] = await createSink(prepared, ctx, overwrite, prepassResults.get(i), i);
    }
    const shardable = formats.every((f, i) => f || typeof sinks[i].accumulator?.toState === 'function');
    // The threads load their modules while the outputs filled in place are made (HDF5 metadata).
    if (shardable) this.startThreads();
    for (const [i, format] of formats.entries()) {
      if (!format) continue;
      if (shardable) sinks[i] = await this.createRegionSink(i, format, overwrite);
      else sinks[i] = await createSink(prepared, ctx, overwrite, prepassResults.get(i), i);
    }
    return shardable;
  }

  /** The main pass on every thread, into `sinks` as `createSinks` made them. */
  async mainPass(
    sinks: readonly SinkInstance[],
    prepassResults: ReadonlyMap<number, unknown>,
  ): Promise<PassCounts> {
    const { plan } = this.prepared;
    const pieceSinks = plan.sinks.map(
      (sink, i): PieceSink =>
        this.regions[i] ?? { kind: 'stage', call: stageCall(shardSink(sink), sink.pointer) },
    );
    const prepared = plan.sinks.map((_, i) => prepassResults.get(i));
    return this.runPieces('main', pieceSinks, prepared, (states) =>
      states.forEach((state, i) => state !== undefined && sinks[i].accumulator?.merge(state as never)),
    );
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }

  private startThreads(): ShardThreads {
    this.pool ??= startShardThreads(this.threads - 1, this.setup, this.ctx.signal);
    return this.pool;
  }

  private async createRegionSink(
    index: number,
    format: RegionFormat,
    overwrite: boolean,
  ): Promise<SinkInstance> {
    const { prepared } = this;
    const sink = prepared.plan.sinks[index];
    const schema = prepared.schemas[prepared.schemas.length - 1];
    const { output, instance } = await openRegionOutputSink(
      format,
      sink,
      schema,
      prepared.sinkRows ?? 0,
      overwrite,
    );
    this.regions[index] = output;
    return instance;
  }

  /**
   * Runs the pass's pieces on every thread, each thread taking the next as it becomes free;
   * `merge` gets each piece's states in row order. Progress sums the pieces'.
   */
  private async runPieces(
    pass: PieceTask['pass'],
    sinks: readonly PieceSink[],
    prepared: readonly unknown[],
    merge: (states: readonly unknown[]) => void,
  ): Promise<PassCounts> {
    const { ctx } = this;
    const aligned = this.regions.some((r) => r !== undefined) ? REGION_ALIGN_ROWS : 1;
    const tasks = this.pieceRanges(aligned).map(([startRow, endRow], index): PieceTask => ({
      kind: 'piece',
      index,
      pass,
      startRow,
      endRow,
      sinks,
      prepared,
    }));
    if (pass === 'main') {
      ctx.log(
        `main pass on ${this.threads} threads: ${tasks.length} pieces of ≤ ${tasks[0].endRow - tasks[0].startRow} rows`,
      );
    }
    const progress = new PieceProgress(
      this.prepared,
      tasks.length,
      pass === 'main' ? this.prepared.passes : 1,
      this.options,
    );
    const done: (PieceResult | undefined)[] = [];
    const counts: PassCounts = { rowsRead: 0, bytesRead: 0, sinkRows: 0 };
    let merged = 0;
    let next = 0;
    let failed = false;
    const accept = (index: number, result: PieceResult) => {
      done[index] = result;
      for (let ready = done[merged]; ready; ready = done[++merged]) {
        merge(ready.states);
        counts.rowsRead += ready.counts.rowsRead;
        counts.bytesRead += ready.counts.bytesRead;
        counts.sinkRows += ready.counts.sinkRows;
        done[merged] = undefined;
      }
    };
    const serve = async (
      run: (task: PieceTask, onProgress: (rows: number, bytes: number) => void) => Promise<PieceResult>,
    ) => {
      while (!failed && next < tasks.length) {
        const task = tasks[next++];
        try {
          accept(task.index, await run(task, (rows, bytes) => progress.update(task.index, rows, bytes)));
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const local = async (task: PieceTask, onProgress: (rows: number, bytes: number) => void) =>
      // Cloned as a worker's result is: the piece's accumulators are released once it returns.
      structuredClone(await runPiece(this.setup, task, ctx.signal, onProgress, loadStage));
    const pool = this.startThreads();
    await Promise.all([
      serve(local),
      ...pool.threads.map((thread) => serve((task, p) => thread.run(task, p))),
    ]);
    return counts;
  }

  /** [start, end) row ranges covering the source's range, each ≥ the look-back, starts aligned. */
  private pieceRanges(aligned: number): [number, number][] {
    const { source, overlap } = this.prepared;
    const start = this.setup.runStart;
    const bySize = Math.ceil(source.bytes / MIN_PIECE_BYTES);
    const pieces = Math.min(this.threads * PIECES_PER_THREAD, Math.max(this.threads, bySize));
    const wanted = Math.ceil(source.rows / pieces);
    const size = Math.ceil(Math.max(wanted, overlap, 1) / aligned) * aligned;
    const ranges: [number, number][] = [];
    for (let row = 0; row < source.rows; row += size)
      ranges.push([start + row, start + Math.min(row + size, source.rows)]);
    return ranges;
  }
}

/** The pass's progress: the pieces' rows and bytes summed, reported as the whole pass's. */
class PieceProgress {
  private readonly rows: Float64Array;
  private readonly bytes: Float64Array;

  constructor(
    private readonly prepared: PreparedPipeline,
    pieces: number,
    private readonly pass: number,
    private readonly options: RunOptions,
  ) {
    this.rows = new Float64Array(pieces);
    this.bytes = new Float64Array(pieces);
  }

  update(piece: number, rows: number, bytes: number): void {
    if (!this.options.onProgress) return;
    this.rows[piece] = rows;
    this.bytes[piece] = bytes;
    const { source, passes } = this.prepared;
    this.options.onProgress({
      rows: this.rows.reduce((a, b) => a + b, 0),
      bytes: this.bytes.reduce((a, b) => a + b, 0),
      pass: this.pass,
      passes,
      totalRows: source.rows,
      totalBytes: source.bytes,
    });
  }
}

/**
 * The source's params for a thread: its batches `chunkRows / threads` rows (at least 4096), so
 * the threads together hold about the memory one thread would. Results do not depend on it.
 */
function sharedChunks(params: Record<string, unknown>, threads: number): Record<string, unknown> {
  if (typeof params.chunkRows !== 'number') return params;
  return {
    ...params,
    chunkRows: Math.max(Math.min(4096, params.chunkRows), Math.ceil(params.chunkRows / threads)),
  };
}

function stageCall(stage: StagePlan, pointer = stage.pointer): StageCall {
  return { name: stage.stage.name, pointer, params: stage.params };
}

export { shardSinkRef, withoutOutputs } from './shard-sinks.ts';
