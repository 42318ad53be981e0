import type { z } from 'zod';
import type { Batch } from './batch.ts';
import type { Schema } from './schema.ts';

export type StageKind = 'source' | 'transform' | 'sink';

/** Bytes and rows a source has delivered so far (new rows only). */
export interface Progress {
  readonly bytes: number;
  readonly rows: number;
}

export interface StageContext {
  /** Aborted on Ctrl-C or on another stage's failure; check it once per batch. */
  readonly signal: AbortSignal;
  /** Prints a line with --verbose, nothing otherwise. */
  readonly log: (message: string) => void;
}

export interface ReadOptions {
  /** Rows of look-back each batch must start with: the planner's overlap (docs/design.md §2). */
  readonly overlap: number;
  /**
   * The consumer is done with a batch when it asks for the next one, so the source may
   * reuse that batch's buffers. Only the runner, which pulls strictly one batch at a
   * time, sets this.
   */
  readonly reuseBuffers?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

/** An opened file source: its header is read, its data is not. */
export interface OpenSource {
  readonly path: string;
  /** The stage name that opened it (`npy`, `raw`, ...). */
  readonly format: string;
  readonly schema: Schema;
  /** Rows the source delivers, row range applied. */
  readonly rows: number;
  /** Bytes of data the source reads for those rows. */
  readonly bytes: number;
  /** The file-access backend in use. */
  readonly backend: 'read' | 'mmap';
  /** Format facts for `sluice inspect` (header fields, byte order, data offset, ...). */
  readonly details: Readonly<Record<string, unknown>>;
  batches(options: ReadOptions): AsyncGenerator<Batch, void, undefined>;
  close(): Promise<void>;
}

/** Something that adds batches up and can be combined with another of its kind (docs/design.md §3). */
export interface Accumulator<R> {
  add(batch: Batch): void;
  /** Folds `other` into this one; associative, so shards can be merged in any grouping. */
  merge(other: this): void;
  result(): R;
  /**
   * The data `merge` reads, structured-cloneable (numbers, typed arrays, Maps, plain
   * objects): what a worker thread sends back. `merge` must accept it in place of an
   * instance. Accumulators that have it can run sharded across threads.
   */
  toState?(): unknown;
}

/** What a transform's `create` returns: a function stream-chain can compose. */
export type BatchFunction = (
  batch: Batch,
) =>
  | Batch
  | null
  | Promise<Batch | null>
  | Generator<Batch, void, undefined>
  | AsyncGenerator<Batch, void, undefined>;

export interface SinkInstance<R = unknown> {
  /** Files this sink writes (final names). */
  readonly outputs: readonly string[];
  write(batch: Batch): void | Promise<void>;
  /** Completes the outputs (temporary files renamed) and returns the result. */
  finish(): Promise<R>;
  /** Removes partial outputs. Idempotent. */
  abort(): Promise<void>;
  /** An accumulator sink's accumulator: shards' states from other threads are merged into it. */
  readonly accumulator?: Accumulator<R>;
}

export interface TransformContext extends StageContext {
  readonly schema: Schema;
  /**
   * Batches are pulled strictly one at a time (the runner): the consumer is done with a batch
   * when it asks for the next, so the stage may write each batch's new arrays into the arrays
   * it emitted for the previous one, and leave no garbage per batch. Unset when a caller may
   * keep several outputs at once.
   */
  readonly reuseBuffers?: boolean;
}

export interface SinkContext extends StageContext {
  /** The schema of the batches the sink receives. */
  readonly schema: Schema;
  /** The result of the accumulator `prepare` asked for, after its pass over the data. */
  readonly prepared?: unknown;
  /** Replace existing outputs instead of refusing them. */
  readonly overwrite: boolean;
  /**
   * The rows the sink will receive in all, when known before the run: every step keeps rows
   * (`keepsRows`), so it is the source's row count. Writers size their outputs from it.
   */
  readonly rows?: number;
}

interface StageBase<S extends z.ZodType, N extends string> {
  /** The key used in specs (`type:`); equals the file's base name. */
  readonly name: N;
  readonly params: S;
  /**
   * Its work per row far exceeds reading the row (FFTs, mesh lookups). Informational: the runner
   * splits every input of 256 MiB or more across the cores whatever its stages (pipeline/
   * sharded.ts); a smaller input through a CPU-heavy stage measured no faster on two threads.
   */
  readonly cpuHeavy?: boolean;
}

export interface SourceStage<S extends z.ZodType = z.ZodType, N extends string = string> extends StageBase<
  S,
  N
> {
  readonly kind: 'source';
  /** File extensions (lower case, with the dot) `inspect` maps to this source. */
  readonly extensions?: readonly string[];
  /** True when the first bytes of a file (up to 4096) identify this format. */
  sniff?(head: Uint8Array): boolean;
  /** Input files named by the params, checked to exist before anything runs. */
  inputs(params: z.output<S>): string[];
  create(params: z.output<S>, ctx: StageContext): Promise<OpenSource>;
}

export interface TransformStage<S extends z.ZodType = z.ZodType, N extends string = string> extends StageBase<
  S,
  N
> {
  readonly kind: 'transform';
  /**
   * It emits exactly one row per row it receives (it never filters, splits or merges rows), so
   * when every step keeps rows the sinks know the row count before the run (`SinkContext.rows`).
   */
  readonly keepsRows?: boolean;
  /** Rows of look-back the stage needs; 0 when absent. */
  history?(params: z.output<S>, schema: Schema): number;
  /** The schema of the batches it emits; the input schema when absent. */
  schema?(params: z.output<S>, input: Schema): Schema;
  create(params: z.output<S>, ctx: TransformContext): BatchFunction;
}

/** A sink that runs another sink and adds to it (`plot` draws what the sink it wraps computes). */
export interface WrappedSink {
  readonly stage: SinkStage;
  /** Its params, defaults filled in. */
  readonly params: Record<string, unknown>;
}

/** `R` is the result `finish` resolves to (`report.sinks[i].result`). */
export interface SinkStage<
  S extends z.ZodType = z.ZodType,
  R = unknown,
  N extends string = string,
> extends StageBase<S, N> {
  readonly kind: 'sink';
  history?(params: z.output<S>, schema: Schema): number;
  /** Files the sink will write, for `plan` and the existing-output check. */
  outputs(params: z.output<S>): string[];
  /**
   * The extensions (lower case, with the dot) its outputs may end in, when it writes its result
   * by extension; validation refuses any other, naming these.
   */
  readonly extensions?: readonly string[];
  /**
   * The sink this one runs and adds to. Its accumulator is this sink's, so a shard (another
   * thread or machine) and `sluice test` run the wrapped sink alone, writing nothing.
   */
  wraps?(params: z.output<S>): WrappedSink;
  /** Checks the params against the input schema (columns exist, ...); throws a SluiceError. */
  check?(params: z.output<S>, schema: Schema): void;
  /**
   * An accumulator to run over the data in a pass before the main one, when the sink
   * needs a fact of the whole input first (numpy's histogram range, for instance).
   */
  prepare?(params: z.output<S>, schema: Schema): Accumulator<unknown> | undefined;
  create(params: z.output<S>, ctx: SinkContext): SinkInstance<R> | Promise<SinkInstance<R>>;
}

export type Stage = SourceStage | TransformStage | SinkStage;

/**
 * Declares a stage; the identity, there for type inference: of `params`, of the literal `name`
 * (the API's stage definitions are keyed by it) and of a sink's result.
 */
export function defineStage<S extends z.ZodType, const N extends string>(
  stage: SourceStage<S, N>,
): SourceStage<S, N>;
export function defineStage<S extends z.ZodType, const N extends string>(
  stage: TransformStage<S, N>,
): TransformStage<S, N>;
export function defineStage<S extends z.ZodType, R, const N extends string>(
  stage: SinkStage<S, R, N>,
): SinkStage<S, R, N>;
export function defineStage(stage: Stage): Stage {
  return stage;
}
