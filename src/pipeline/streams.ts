/**
 * sluice's stages as Node streams, for an app that mixes them with its own (docs/design.md §3):
 *
 *   const src = await openSource({ type: 'npy', path });              // object-mode Readable of Batch
 *   const tr = openTransform({ type: 'derive', name: 'y', expr: 'value * 2' }, src.schema);
 *   const sk = openSink({ type: 'stats', columns: ['y'] }, tr.schema); // Writable; await sk.result
 *   await pipeline(src, tr, sk);
 *
 * Backpressure is Node's (one batch buffered per stream), an error in any stage rejects the
 * pipeline and releases every stage (the source's file closed, a sink's partial output
 * removed), and look-back is handled for the user: each stage opened on a schema that came
 * from `openSource` adds the history it needs to what that source will repeat at the start of
 * each batch (docs/design.md §2), so open every stage before the source is read.
 */
import { Readable, Transform, Writable } from 'node:stream';
import type { Batch } from '../core/batch.ts';
import { SluiceError, wrapError } from '../core/errors.ts';
import type { Registry } from '../core/registry.ts';
import type { Schema } from '../core/schema.ts';
import type {
  OpenSource,
  SinkInstance,
  SinkStage,
  SourceStage,
  StageContext,
  TransformStage,
} from '../core/stage.ts';
import { registry as defaultRegistry } from '../stages.ts';
import type {
  Exact,
  SinkDefinition,
  SinkResultOf,
  SourceDefinition,
  TransformDefinition,
} from './definitions.ts';
import { planStageRef } from './validate.ts';

export interface StreamOptions {
  /** Stops the stage: the stream is destroyed with an ABORTED error. */
  readonly signal?: AbortSignal;
  /** A registry with stages of your own (definitions are then checked when opened). */
  readonly registry?: Registry;
  readonly log?: (message: string) => void;
}

/** A source as an object-mode Readable of batches; async-iterable too. */
export interface BatchReadable extends Readable {
  readonly schema: Schema;
  /** Rows the source delivers and bytes it reads. */
  readonly rows: number;
  readonly bytes: number;
}

/** A transform as an object-mode Duplex: batches in, batches out. */
export interface BatchTransform extends Transform {
  /** The schema of the batches it emits. */
  readonly schema: Schema;
}

/**
 * A sink as an object-mode Writable; `result` settles once the stream finishes, or fails once
 * its partial outputs are removed.
 */
export interface BatchWritable<R = unknown> extends Writable {
  readonly result: Promise<R>;
  /** Files it writes. */
  readonly outputs: readonly string[];
}

/** What a source must repeat at the start of each batch, added up from the stages opened on its schemas. */
interface LookBack {
  steps: number;
  sinks: number;
  started: boolean;
}

/** Where a schema from openSource (or from a stage opened on one) keeps its source's look-back. */
const LOOK_BACK = Symbol('sluice.lookBack');

/** A copy of `schema` that knows its source's look-back (a hidden, non-enumerable property). */
function withLookBack(schema: Schema, lookBack: LookBack): Schema {
  return Object.defineProperty({ ...schema }, LOOK_BACK, { value: lookBack, enumerable: false });
}

type Ref = { readonly type: string } & Readonly<Record<string, unknown>>;

/** Opens a source (its header is read, its data is not) as a Readable of batches. */
export function openSource(definition: SourceDefinition, options?: StreamOptions): Promise<BatchReadable>;
export function openSource(
  definition: Ref,
  options: StreamOptions & { readonly registry: Registry },
): Promise<BatchReadable>;
export async function openSource(definition: Ref, options: StreamOptions = {}): Promise<BatchReadable> {
  const plan = planStageRef<SourceStage>('source', definition, options.registry ?? defaultRegistry);
  const controller = new AbortController();
  const ctx = contextOf(controller, options);
  let opened: OpenSource;
  try {
    opened = await plan.stage.create(plan.params, ctx);
  } catch (error) {
    throw wrapError(error, `source (${plan.stage.name})`);
  }
  const lookBack: LookBack = { steps: 0, sinks: 0, started: false };
  const schema = withLookBack(opened.schema, lookBack);
  return new SourceReadable(opened, schema, lookBack, controller, plan.stage.name, options.signal);
}

/** Opens a transform on the batches of `schema` (a source's or another transform's). */
export function openTransform(
  definition: TransformDefinition,
  schema: Schema,
  options?: StreamOptions,
): BatchTransform;
export function openTransform(
  definition: Ref,
  schema: Schema,
  options: StreamOptions & { readonly registry: Registry },
): BatchTransform;
export function openTransform(definition: Ref, schema: Schema, options: StreamOptions = {}): BatchTransform {
  const plan = planStageRef<TransformStage>('transform', definition, options.registry ?? defaultRegistry);
  const name = `step (${plan.stage.name})`;
  const history = atStage(name, () => plan.stage.history?.(plan.params, schema) ?? 0);
  const output = atStage(name, () => plan.stage.schema?.(plan.params, schema) ?? schema);
  const lookBack = lookBackOf(schema, history, name);
  if (lookBack) lookBack.steps += history;
  const controller = new AbortController();
  const fn = atStage(name, () =>
    plan.stage.create(plan.params, { ...contextOf(controller, options), schema, reuseBuffers: false }),
  );
  const emitted = lookBack ? withLookBack(output, lookBack) : output;
  return new BatchTransformStream(fn, emitted, name, controller, options.signal);
}

/** Opens a sink on the batches of `schema`; its result is `await sink.result`. */
export function openSink<const D extends SinkDefinition>(
  definition: D & Exact<D, SinkDefinition>,
  schema: Schema,
  options?: StreamOptions & { readonly overwrite?: boolean },
): BatchWritable<SinkResultOf<D['type']>>;
export function openSink(
  definition: Ref,
  schema: Schema,
  options: StreamOptions & { readonly overwrite?: boolean; readonly registry: Registry },
): BatchWritable;
export function openSink(
  definition: Ref,
  schema: Schema,
  options: StreamOptions & { readonly overwrite?: boolean } = {},
): BatchWritable<never> {
  const plan = planStageRef<SinkStage>('sink', definition, options.registry ?? defaultRegistry);
  const name = `sink (${plan.stage.name})`;
  atStage(name, () => plan.stage.check?.(plan.params, schema));
  if (plan.stage.prepare?.(plan.params, schema) !== undefined) {
    throw new SluiceError('USAGE', `${name}: these params need a pass over the input before the main one`, {
      hint: 'A stream is read once: give the sink what that pass would find (histogram: `range`; quantiles: no `exact`), or use run().',
    });
  }
  const history = atStage(name, () => plan.stage.history?.(plan.params, schema) ?? 0);
  const lookBack = lookBackOf(schema, history, name);
  if (lookBack) lookBack.sinks = Math.max(lookBack.sinks, history);
  const controller = new AbortController();
  const ctx = { ...contextOf(controller, options), schema, overwrite: options.overwrite ?? false };
  return new SinkWritable(
    () => plan.stage.create(plan.params, ctx),
    plan.stage.outputs(plan.params),
    name,
    controller,
    options.signal,
  ) as BatchWritable<never>;
}

function contextOf(controller: AbortController, options: StreamOptions): StageContext {
  return { signal: controller.signal, log: options.log ?? (() => {}) };
}

function atStage<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw wrapError(error, name);
  }
}

/** The look-back of the source `schema` came from; refuses what it can no longer give. */
function lookBackOf(schema: Schema, history: number, name: string): LookBack | undefined {
  const lookBack = (schema as { [LOOK_BACK]?: LookBack })[LOOK_BACK];
  if (history > 0 && !lookBack) {
    throw new SluiceError('USAGE', `${name} needs ${history} rows of look-back from its source`, {
      hint: 'Open it on the `schema` of an openSource() or openTransform() stream, so the source repeats them.',
    });
  }
  if (history > 0 && lookBack?.started) {
    throw new SluiceError('USAGE', `${name} was opened after its source started reading`, {
      hint: 'Open every stage before the pipeline runs.',
    });
  }
  return lookBack;
}

/** Forwards an outer abort to `controller`; returns the disposer. */
function linkAbort(outer: AbortSignal | undefined, onAbort: () => void): () => void {
  if (!outer) return () => {};
  if (outer.aborted) queueMicrotask(onAbort);
  outer.addEventListener('abort', onAbort, { once: true });
  return () => outer.removeEventListener('abort', onAbort);
}

function aborted(name: string): SluiceError {
  return new SluiceError('ABORTED', `${name}: aborted`);
}

class SourceReadable extends Readable implements BatchReadable {
  private batches?: AsyncGenerator<Batch, void, undefined>;
  private readonly detach: () => void;

  constructor(
    private readonly opened: OpenSource,
    readonly schema: Schema,
    private readonly lookBack: LookBack,
    private readonly controller: AbortController,
    private readonly name: string,
    signal: AbortSignal | undefined,
  ) {
    super({ objectMode: true, highWaterMark: 1 });
    this.detach = linkAbort(signal, () => this.destroy(aborted(`source (${name})`)));
  }

  get rows(): number {
    return this.opened.rows;
  }

  get bytes(): number {
    return this.opened.bytes;
  }

  override _read(): void {
    if (!this.batches) {
      this.lookBack.started = true;
      this.batches = this.opened.batches({
        overlap: this.lookBack.steps + this.lookBack.sinks,
        signal: this.controller.signal,
      });
    }
    this.batches.next().then(
      ({ done, value }) => void this.push(done ? null : value),
      (error: unknown) => this.destroy(wrapError(error, `source (${this.name})`, this.opened.path)),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.detach();
    this.controller.abort();
    const batches = this.batches;
    Promise.resolve(batches?.return())
      .catch(() => undefined)
      .then(() => this.opened.close())
      .then(
        () => callback(error),
        (closeError: unknown) => callback(error ?? wrapError(closeError, `source (${this.name})`)),
      );
  }
}

class BatchTransformStream extends Transform implements BatchTransform {
  private readonly detach: () => void;

  constructor(
    private readonly fn: ReturnType<TransformStage['create']>,
    readonly schema: Schema,
    private readonly name: string,
    private readonly controller: AbortController,
    signal: AbortSignal | undefined,
  ) {
    super({ objectMode: true, highWaterMark: 1 });
    this.detach = linkAbort(signal, () => this.destroy(aborted(name)));
  }

  override _transform(
    batch: Batch,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.apply(batch).then(
      () => callback(),
      (error: unknown) => callback(wrapError(error, this.name)),
    );
  }

  private async apply(batch: Batch): Promise<void> {
    this.controller.signal.throwIfAborted();
    const result = await this.fn(batch);
    if (result === null) return;
    if (isIterable(result)) {
      for await (const out of result) this.push(out);
    } else {
      this.push(result);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.detach();
    this.controller.abort();
    callback(error);
  }
}

function isIterable(
  value: Batch | Generator<Batch, void, undefined> | AsyncGenerator<Batch, void, undefined>,
): value is Generator<Batch, void, undefined> | AsyncGenerator<Batch, void, undefined> {
  return Symbol.iterator in value || Symbol.asyncIterator in value;
}

class SinkWritable<R> extends Writable implements BatchWritable<R> {
  readonly result: Promise<R>;
  private settle!: { resolve: (result: R) => void; reject: (error: unknown) => void };
  private sink?: SinkInstance;
  private finished = false;
  private readonly detach: () => void;

  constructor(
    private readonly create: () => SinkInstance | Promise<SinkInstance>,
    readonly outputs: readonly string[],
    private readonly name: string,
    private readonly controller: AbortController,
    signal: AbortSignal | undefined,
  ) {
    super({ objectMode: true, highWaterMark: 1 });
    this.result = new Promise<R>((resolve, reject) => (this.settle = { resolve, reject }));
    // Awaiting `result` is optional: a failure also reaches the stream's error.
    this.result.catch(() => undefined);
    this.detach = linkAbort(signal, () => this.destroy(aborted(name)));
  }

  override _construct(callback: (error?: Error | null) => void): void {
    Promise.resolve()
      .then(this.create)
      .then(
        (sink) => {
          this.sink = sink;
          callback();
        },
        (error: unknown) => callback(wrapError(error, this.name)),
      );
  }

  override _write(batch: Batch, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    Promise.resolve()
      .then(() => this.sink!.write(batch))
      .then(
        () => callback(),
        (error: unknown) => callback(wrapError(error, this.name)),
      );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.sink!.finish().then(
      (result) => {
        this.finished = true;
        this.settle.resolve(result as R);
        callback();
      },
      (error: unknown) => callback(wrapError(error, this.name)),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.detach();
    this.controller.abort();
    if (this.finished) {
      callback(error);
      return;
    }
    const failure = error ?? aborted(this.name);
    // `result` rejects once the partial outputs are gone, so awaiting it awaits the cleanup.
    Promise.resolve(this.sink?.abort())
      .catch(() => undefined)
      .then(() => {
        this.settle.reject(failure);
        callback(failure);
      });
  }
}
