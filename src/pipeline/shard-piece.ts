/**
 * One piece of a pass run on several threads (sharded.ts): a row range of the source, read
 * through every step into fresh accumulators (their states go back to the main thread, which
 * merges them in row order) and into the outputs filled in place (rows written at their
 * offsets). The main thread runs pieces itself with this, and so does each worker thread
 * (shard-worker.ts), from stage names and params already validated by the main thread.
 */
import { SluiceError, wrapError } from '../core/errors.ts';
import type {
  SinkInstance,
  SinkStage,
  SourceStage,
  Stage,
  StageKind,
  StageContext,
  TransformStage,
} from '../core/stage.ts';
import { createSinks, prepassAccumulators, runMainPass, runPrepassPass } from './passes.ts';
import type { StepFunctions } from './passes.ts';
import type { PreparedPipeline } from './prepare.ts';
import { preparePipeline } from './prepare.ts';
import { openRegionSink } from './region-sink.ts';
import type { RegionOutput } from './row-regions.ts';
import type { PassCounts } from './run-types.ts';
import { loadStage } from './stage-modules.ts';
import type { PipelinePlan } from './validate.ts';

/** Finds a stage by name: the registry on the main thread, the stage's module alone on a worker. */
export type StageResolver = (name: string, kind: StageKind) => Promise<Stage | undefined>;

/** A stage as a thread rebuilds it: its registered name, its validated params, its place in the spec. */
export interface StageCall {
  readonly name: string;
  readonly pointer: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** What every piece of a run shares: sent to each worker thread once, when it starts. */
export interface ShardSetup {
  readonly source: StageCall;
  readonly steps: readonly StageCall[];
  /** The row segmenting stages align to: the whole run's, in every piece. */
  readonly origin: number;
  /** The run's first row, where outputs filled in place start. */
  readonly runStart: number;
}

/** How a piece runs a sink: the stage (an accumulator without outputs), or an output filled in place. */
export type PieceSink = { readonly kind: 'stage'; readonly call: StageCall } | RegionOutput;

export interface PieceTask {
  readonly kind: 'piece';
  readonly index: number;
  /** The pass before the main one runs the sinks' `prepare` accumulators. */
  readonly pass: 'prepass' | 'main';
  readonly startRow: number;
  readonly endRow: number;
  /** By sink index: the main pass's sinks, or (pre-pass) the sinks whose `prepare` runs. */
  readonly sinks: readonly PieceSink[];
  /** The pre-pass results, by sink index (main pass). */
  readonly prepared: readonly unknown[];
}

/** What a piece gives back: each sink's accumulator state (undefined for none), and its counts. */
export interface PieceResult {
  readonly states: readonly unknown[];
  readonly counts: PassCounts;
}

/** The steps this thread created for a run, reused by its every piece (passes.ts). */
const threadSteps = new WeakMap<ShardSetup, StepFunctions>();

/** Runs one piece; `onProgress` gets the piece's rows and bytes so far. */
export async function runPiece(
  setup: ShardSetup,
  task: PieceTask,
  signal: AbortSignal,
  onProgress: (rows: number, bytes: number) => void,
  resolve: StageResolver = loadStage,
): Promise<PieceResult> {
  const ctx: StageContext = { signal, log: () => {} };
  const prepared = await preparePipeline(await piecePlan(setup, task, resolve), ctx);
  const options = { signal, onProgress: (p: { rows: number; bytes: number }) => onProgress(p.rows, p.bytes) };
  let steps = threadSteps.get(setup);
  if (!steps) threadSteps.set(setup, (steps = new Map()));
  try {
    if (task.pass === 'prepass') {
      const accumulators = prepassAccumulators(prepared);
      const counts = await runPrepassPass(prepared, ctx, options, accumulators, steps);
      return { states: task.sinks.map((_, i) => accumulators.get(i)?.toState?.()), counts };
    }
    return await mainPiece(prepared, setup, task, ctx, options, steps);
  } finally {
    await prepared.source.close();
  }
}

async function mainPiece(
  prepared: PreparedPipeline,
  setup: ShardSetup,
  task: PieceTask,
  ctx: StageContext,
  options: Parameters<typeof runMainPass>[2],
  steps: StepFunctions,
): Promise<PieceResult> {
  const sinks: SinkInstance[] = [];
  const schema = prepared.schemas[prepared.schemas.length - 1];
  const finished = new Set<SinkInstance>();
  try {
    const results = new Map(task.prepared.map((result, index) => [index, result]));
    const inPlace = async (i: number) => {
      const sink = task.sinks[i];
      if (sink.kind !== 'regions') return undefined;
      return openRegionSink(sink, schema.columns, {
        runStart: setup.runStart,
        startRow: task.startRow,
        sync: false,
      });
    };
    // The accumulators name no outputs (sharded.ts): nothing but the regions touches a file.
    await createSinks(prepared, ctx, true, results, sinks, inPlace);
    const counts = await runMainPass(prepared, ctx, options, sinks, steps);
    for (const [i, sink] of sinks.entries()) {
      if (task.sinks[i].kind !== 'regions') continue;
      await finishRegion(prepared, i, sink);
      finished.add(sink);
    }
    return { states: sinks.map((sink) => sink.accumulator?.toState?.()), counts };
  } finally {
    await Promise.allSettled(sinks.filter((sink) => !finished.has(sink)).map((sink) => sink.abort()));
  }
}

async function finishRegion(prepared: PreparedPipeline, index: number, sink: SinkInstance): Promise<void> {
  try {
    await sink.finish();
  } catch (error) {
    throw wrapError(error, prepared.plan.sinks[index].pointer);
  }
}

/** The plan of the piece's rows: the run's stages, the sinks as the piece runs them. */
async function piecePlan(setup: ShardSetup, task: PieceTask, resolve: StageResolver): Promise<PipelinePlan> {
  const range = { startRow: task.startRow, endRow: task.endRow, origin: setup.origin };
  const planned = async <S extends Stage>(call: StageCall, kind: S['kind']) => {
    const stage = (await resolve(call.name, kind)) as S | undefined;
    if (!stage) throw new SluiceError('STAGE_FAILED', `a thread found no ${kind} stage named ${call.name}`);
    return { stage, params: { ...call.params }, pointer: call.pointer };
  };
  const source = await planned<SourceStage>(setup.source, 'source');
  return {
    inputs: { files: [String(setup.source.params.path)], many: false },
    source: { ...source, params: { ...source.params, ...range } },
    steps: await Promise.all(setup.steps.map((step) => planned<TransformStage>(step, 'transform'))),
    sinks: await Promise.all(
      task.sinks.map((sink, i) =>
        sink.kind === 'stage'
          ? planned<SinkStage>(sink.call, 'sink')
          : // Never created: the region writer takes its place (mainPiece).
            { stage: REGION_PLACEHOLDER, params: {}, pointer: `sinks[${i}]` },
      ),
    ),
  };
}

/** Stands in the plan for an output filled in place: checks nothing, prepares nothing. */
const REGION_PLACEHOLDER = {
  name: 'region',
  kind: 'sink',
  outputs: () => [],
  create: () => {
    throw new SluiceError('STAGE_FAILED', 'an output filled in place has no sink of its own');
  },
} as unknown as SinkStage;
