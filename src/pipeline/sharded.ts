/**
 * The main pass on several threads (docs/design.md §2): batches are self-contained, so the row
 * range splits into shards, each read and accumulated by a worker thread (shard-worker.ts),
 * and the shards' accumulator states are merged here in row order.
 */
import { availableParallelism } from 'node:os';
import { SluiceError, sluiceErrorFromJSON } from '../core/errors.ts';
import type { SinkInstance, SinkStage, StageContext, WrappedSink } from '../core/stage.ts';
import type { WorkerEndMessage } from '../core/worker-call.ts';
import { startWorker } from '../core/worker-call.ts';
import { registry } from '../stages.ts';
import type { PreparedPipeline } from './prepare.ts';
import type { PassCounts, PassProgress, RunOptions } from './run-types.ts';
import type { PipelinePlan } from './validate.ts';

/** Below this much data, starting threads costs more than it saves. */
const MIN_SHARDED_BYTES = 256 * 2 ** 20;

/** What a worker runs: the plan as stage names and params, and its row range. */
export interface ShardJob {
  readonly source: { readonly type: string } & Record<string, unknown>;
  readonly steps: readonly ({ readonly type: string } & Record<string, unknown>)[];
  readonly sinks: readonly ({ readonly type: string } & Record<string, unknown>)[];
  readonly startRow: number;
  readonly endRow: number;
  readonly origin: number;
  /** The pre-pass results, by sink index. */
  readonly prepared: readonly unknown[];
}

/** A shard's progress, posted by the worker before worker-entry.js posts the end. */
export interface ShardProgress {
  readonly kind: 'progress';
  readonly rows: number;
  readonly bytes: number;
}

/** How many threads the main pass uses: 1 unless sharding is possible and worth it. */
export function shardWorkers(
  prepared: PreparedPipeline,
  sinks: readonly SinkInstance[],
  asked?: number,
): number {
  const wanted = asked ?? (isWorthSharding(prepared) ? availableParallelism() : 1);
  if (wanted <= 1 || !isShardable(prepared.plan, sinks)) return 1;
  return Math.max(1, Math.min(wanted, Math.floor(prepared.source.rows / Math.max(prepared.overlap, 1))));
}

/** Large input and a CPU-heavy stage: only then do threads pay for their start-up. */
function isWorthSharding(prepared: PreparedPipeline): boolean {
  const { plan, source } = prepared;
  const heavy = [...plan.steps, ...plan.sinks].some((s) => s.stage.cpuHeavy === true);
  return heavy && source.bytes >= MIN_SHARDED_BYTES;
}

/** Every sink can send its state; the stages are the ones a worker finds by name; the source has a row range. */
function isShardable(plan: PipelinePlan, sinks: readonly SinkInstance[]): boolean {
  const stages = [plan.source, ...plan.steps, ...plan.sinks];
  const known = stages.every((s) => registry.get(s.stage.name, s.stage.kind) === s.stage);
  const ranged = 'startRow' in plan.source.params;
  return known && ranged && sinks.every((sink) => typeof sink.accumulator?.toState === 'function');
}

export async function runShardedPass(
  prepared: PreparedPipeline,
  prepassResults: ReadonlyMap<number, unknown>,
  sinks: readonly SinkInstance[],
  workers: number,
  ctx: StageContext,
  options: RunOptions,
): Promise<PassCounts> {
  const jobs = shardJobs(prepared, prepassResults, workers);
  ctx.log(
    `main pass on ${jobs.length} threads: rows ${jobs.map((j) => `[${j.startRow}, ${j.endRow})`).join(' ')}`,
  );
  const progress = jobs.map(() => ({ rows: 0, bytes: 0 }));
  const report = () =>
    options.onProgress?.({
      rows: progress.reduce((sum, p) => sum + p.rows, 0),
      bytes: progress.reduce((sum, p) => sum + p.bytes, 0),
      ...passFacts(prepared),
    });
  const results = await Promise.all(
    jobs.map((job, i) =>
      runShard(job, ctx.signal, (rows, bytes) => {
        progress[i] = { rows, bytes };
        report();
      }),
    ),
  );
  const counts: PassCounts = { rowsRead: 0, bytesRead: 0, sinkRows: 0 };
  for (const result of results) {
    sinks.forEach((sink, i) => sink.accumulator?.merge(result.states[i] as never));
    counts.rowsRead += result.counts.rowsRead;
    counts.bytesRead += result.counts.bytesRead;
    counts.sinkRows += result.counts.sinkRows;
  }
  return counts;
}

function passFacts(prepared: PreparedPipeline): Omit<PassProgress, 'rows' | 'bytes'> {
  const { passes, source } = prepared;
  return { pass: passes, passes, totalRows: source.rows, totalBytes: source.bytes };
}

/** Equal row ranges covering the source's range, all aligned to its origin. */
function shardJobs(
  prepared: PreparedPipeline,
  prepassResults: ReadonlyMap<number, unknown>,
  workers: number,
): ShardJob[] {
  const { plan, source } = prepared;
  const startRow = Number(plan.source.params.startRow ?? 0);
  const origin = source.schema.origin ?? startRow;
  const asRef = (s: { stage: { name: string }; params: Record<string, unknown> }) => ({
    type: s.stage.name,
    ...s.params,
  });
  const sinksPrepared = plan.sinks.map((_, i) => prepassResults.get(i));
  return Array.from({ length: workers }, (_, i) => ({
    source: asRef(plan.source),
    steps: plan.steps.map(asRef),
    sinks: plan.sinks.map(shardSinkRef),
    startRow: startRow + Math.floor((source.rows * i) / workers),
    endRow: startRow + Math.floor((source.rows * (i + 1)) / workers),
    origin,
    prepared: sinksPrepared,
  }));
}

/** What a shard's worker returns: each sink's accumulator state, and its counts. */
export interface ShardResult {
  readonly states: readonly unknown[];
  readonly counts: PassCounts;
}

function runShard(
  job: ShardJob,
  signal: AbortSignal,
  onProgress: (rows: number, bytes: number) => void,
): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('pipeline/shard-worker', job);
    const stop = () => void worker.terminate();
    signal.addEventListener('abort', stop, { once: true });
    const settle = () => signal.removeEventListener('abort', stop);
    worker.on('message', (message: ShardProgress | WorkerEndMessage) => {
      if (message.kind === 'progress') onProgress(message.rows, message.bytes);
      else if (message.kind === 'done') {
        settle();
        resolve(message.value as ShardResult);
      } else {
        settle();
        reject(sluiceErrorFromJSON(message.error));
      }
    });
    worker.on('error', (error) => {
      settle();
      // An uncaught throw in the worker outside the job (its module failed to load, say).
      reject(
        new SluiceError('STAGE_FAILED', `a shard's worker thread failed: ${error.message}`, { cause: error }),
      );
    });
    worker.on('exit', (code) => {
      settle();
      if (signal.aborted) reject(signal.reason ?? new Error('aborted'));
      else if (code !== 0)
        reject(new SluiceError('STAGE_FAILED', `a shard's worker thread exited with code ${code}`));
    });
  });
}

/**
 * The sink a shard runs in `sink`'s place: the sink it wraps, if any (`plot` draws what its
 * inner sink accumulates, and that accumulator is the one merged), without its outputs.
 */
export function shardSinkRef(sink: {
  readonly stage: SinkStage;
  readonly params: Record<string, unknown>;
}): { readonly type: string } & Record<string, unknown> {
  let layer: WrappedSink = sink;
  for (let depth = 0; layer.stage.wraps && depth < 4; depth++) layer = layer.stage.wraps(layer.params);
  return withoutOutputs({ type: layer.stage.name, ...layer.params }, layer.stage.outputs(layer.params));
}

/**
 * A worker's sink writes nothing: the main thread merges and writes. Params naming an output
 * are left out (they are optional on every accumulator sink), so a worker stopped at any
 * moment leaves no file, not even a temporary one.
 */
export function withoutOutputs<T extends Record<string, unknown>>(ref: T, outputs: readonly string[]): T {
  return Object.fromEntries(
    Object.entries(ref).filter(([, value]) => !outputs.includes(value as string)),
  ) as T;
}
