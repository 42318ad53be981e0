/**
 * The TypeScript API's stage definitions, typed per stage: a plain object `{ type: 'parquet',
 * out, compression: 'zstd' }` is checked against the zod input type of the stage its `type`
 * names (a discriminated union over the registered stages), so a misspelt key or a value of
 * the wrong type fails to compile; and `run` types each sink's result from its definition.
 */
import type { z } from 'zod';
import type { Registry } from '../core/registry.ts';
import type { SinkStages, SourceStages, TransformStages } from '../stages.ts';
import { run as runUntyped } from './api.ts';
import type { ApiOptions, PipelineDefinition as UntypedDefinition } from './api.ts';
import type { RunReport, SinkReport } from './run-types.ts';

/** `{ type: name } & params`, for each stage of a union. */
type DefinitionOf<S> = S extends { readonly name: infer N; readonly params: infer P extends z.ZodType }
  ? { readonly type: N } & ParamsOf<z.input<P>>
  : never;

/** A stage without params (`z.object({}).strict()`, whose input is `Record<string, never>`) takes none. */
type ParamsOf<I> = string extends keyof I ? ([I[string]] extends [never] ? object : I) : I;

/** A source as the API and a spec write it: `{ type: 'npy', path: 'x.npy', sampleRate: 1e6 }`. */
export type SourceDefinition = DefinitionOf<SourceStages>;
/** A step (transform): `{ type: 'derive', name: 'y', expr: 'value * 2' }`. */
export type TransformDefinition = DefinitionOf<TransformStages>;
/** A sink, with an optional `name` (`sluice test` refers to it by that): `{ type: 'stats', name: 's' }`. */
export type SinkDefinition = DefinitionOf<SinkStages> & { readonly name?: string };

export type SourceType = SourceStages['name'];
export type TransformType = TransformStages['name'];
export type SinkType = SinkStages['name'];

/** What the sink of that type resolves to (`report.sinks[i].result`); unknown when it depends on params. */
export type SinkResultOf<T> = ResultOfStage<Extract<SinkStages, { readonly name: T }>>;

type ResultOfStage<S> = S extends { create(...args: never[]): infer C }
  ? Awaited<C> extends { finish(): Promise<infer R> }
    ? R
    : unknown
  : unknown;

/** A pipeline as an object, typed per stage: the same shape as a YAML spec. */
export interface PipelineDefinition {
  readonly name?: string;
  readonly source: SourceDefinition;
  readonly steps?: readonly TransformDefinition[];
  readonly sinks: readonly SinkDefinition[];
}

/** Keys the definition's stage has. */
type KnownKeys<E, Union> = E extends { readonly type: infer T }
  ? keyof Extract<Union, { readonly type: T }>
  : never;

/**
 * `E` with every key its stage lacks typed as an object no value is: a misspelt key is a
 * compile error there (`Type 'number' is not assignable to type '{ readonly "chunkRow is not a
 * param of this stage": never; }'`). An object, not `never`: a literal value intersected with
 * `never` would make the whole definition `never`, and the error unreadable.
 */
export type Exact<E, Union> = E & {
  readonly [K in Exclude<keyof E, KnownKeys<E, Union>>]: {
    readonly [M in `${K & string} is not a param of this stage`]: never;
  };
};

type ExactList<L, Union> = { readonly [I in keyof L]: Exact<L[I], Union> };

/** The definition with no key a stage lacks (excess-property checks for an inferred definition). */
export type ExactDefinition<D extends PipelineDefinition> = {
  readonly source: Exact<D['source'], SourceDefinition>;
  readonly steps?: ExactList<D['steps'], TransformDefinition>;
  readonly sinks: ExactList<D['sinks'], SinkDefinition>;
};

/** A sink's report with its result typed. */
export interface TypedSinkReport<R> extends SinkReport {
  readonly result: R;
}

type ResultOfDefinition<E> = E extends { readonly type: infer T } ? SinkResultOf<T> : unknown;

/** A run's report whose `sinks[i].result` is typed from the definition's sink i. */
export type TypedRunReport<D extends PipelineDefinition> = Omit<RunReport, 'sinks'> & {
  readonly sinks: SinkReports<D['sinks']>;
};

/** Over a type parameter, so a tuple of sinks maps to a tuple of reports. */
type SinkReports<L> = { readonly [I in keyof L]: TypedSinkReport<ResultOfDefinition<L[I]>> };

/**
 * Validates and runs a pipeline given as an object; resolves to the run's report, each sink's
 * result typed from its definition. With your own `registry` (stages of your own), the
 * definition is checked when the run starts instead.
 */
export function run<const D extends PipelineDefinition>(
  definition: D & ExactDefinition<D>,
  options?: ApiOptions,
): Promise<TypedRunReport<D>>;
export function run(
  definition: UntypedDefinition,
  options: ApiOptions & { readonly registry: Registry },
): Promise<RunReport>;
export function run(definition: UntypedDefinition, options: ApiOptions = {}): Promise<never> {
  // The overloads type the report; at run time it is the untyped run's.
  return runUntyped(definition, options) as Promise<never>;
}
