/**
 * sluice's TypeScript API: everything a YAML spec can do.
 *
 *   const report = await run({
 *     source: { type: 'npy', path: 'signal.npy', sampleRate: 1e6 },
 *     sinks: [{ type: 'stats' }, { type: 'histogram', column: 'value', bins: 200 }],
 *   });
 *   report.sinks[0].result.columns.value.mean;   // typed: StatsResult
 *
 * Stage definitions are typed per stage (a misspelt param fails to compile); the stages are
 * also Node streams (openSource, openTransform, openSink) to mix with an app's own.
 */
import type { z as zod } from 'zod';
import type { Stage } from './core/stage.ts';
import npyStage from './sources/npy.ts';
import rawStage from './sources/raw.ts';
import histogramStage from './sinks/histogram.ts';
import statsStage from './sinks/stats.ts';

/** The zod sluice's stages are declared with: use this one for `defineStage` params. */
export { z } from 'zod';
export * from './core/batch.ts';
export * from './core/dtype.ts';
export * from './core/schema.ts';
export * from './core/errors.ts';
export * from './core/stage.ts';
export { Registry } from './core/registry.ts';
export { describeStage, renderStagesMarkdown } from './core/describe.ts';
export type { StageDoc, ParamDoc } from './core/describe.ts';
export { registry, allStages } from './stages.ts';
export type { SourceStages, TransformStages, SinkStages } from './stages.ts';
// run, runSpec, runPlan, runManyPlan and runSpecFiles take `queue` (sluice run --queue) too.
export { run, runSpec, runPlan, runManyPlan, runSpecFiles } from './cluster/api.ts';
export type { QueueApiOptions } from './cluster/api.ts';
export type { QueueOptions } from './cluster/queued-run.ts';
export type {
  PipelineDefinition,
  SourceDefinition,
  TransformDefinition,
  SinkDefinition,
  SourceType,
  TransformType,
  SinkType,
  SinkResultOf,
  TypedRunReport,
  TypedSinkReport,
  Exact,
  ExactDefinition,
} from './pipeline/definitions.ts';
export { validateSpecFile, validateDefinition, preparePlan } from './pipeline/api.ts';
export type {
  PipelineDefinition as UntypedPipelineDefinition,
  StageRef,
  ApiOptions,
  SpecRunOptions,
} from './pipeline/api.ts';
export { openSource, openTransform, openSink } from './pipeline/streams.ts';
export type { BatchReadable, BatchTransform, BatchWritable, StreamOptions } from './pipeline/streams.ts';
export { specJsonSchema } from './pipeline/json-schema.ts';
export type { FileOutcome, ManyReport, ManyOptions } from './pipeline/many.ts';
export type { RunReport, SinkReport, RunOptions, PassProgress } from './pipeline/runner.ts';
export { inspectFile } from './pipeline/inspect.ts';
export type { InspectReport, InspectOptions, ListingReport, TableReport } from './pipeline/inspect.ts';
export { openMappedFile } from './io/open.ts';
export type { MappedFile, FileBytes, IoBackend, IoChoice } from './io/mapped-file.ts';

// The sinks' results, as `report.sinks[i].result` and `await sink.result` give them.
export type { StatsResult, ColumnStats } from './sinks/stats.ts';
export type { HistogramResult } from './stats/histogram.ts';
export type { Histogram2dResult } from './stats/histogram2d.ts';
export type { QuantilesResult, ColumnQuantiles } from './stats/quantiles.ts';
export type { PsdResult } from './dsp/psd-accumulator.ts';
export type { SpectrumAverageResult } from './dsp/spectrum-average-accumulator.ts';
export type { SpectrogramResult } from './sinks/spectrogram.ts';
/** What a writer sink (parquet, arrow, hdf5, npy, csv, daf) resolves to: the rows it wrote. */
export interface WriterResult {
  readonly rows: number;
}

/** Makes `npy({...})`-style helpers: params typed from the stage's schema, defaults applied later. */
export function stageRef<S extends zod.ZodType, const N extends string>(
  stage: Stage & { params: S; name: N },
) {
  return (params: zod.input<S>): { readonly type: N } & zod.input<S> =>
    ({ type: stage.name, ...(params as Record<string, unknown>) }) as { readonly type: N } & zod.input<S>;
}

export const npy = stageRef(npyStage);
export const raw = stageRef(rawStage);
export const stats = stageRef(statsStage);
export const histogram = stageRef(histogramStage);
