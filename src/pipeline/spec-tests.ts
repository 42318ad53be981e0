/**
 * `sluice test`: the `tests:` of a spec, as `vector test` and `benthos test` run theirs. Each
 * test runs the spec's steps and sinks on its inline input columns (they replace the source's
 * data; the source's sampleRate and chunkRows stay) and checks the sinks' results. No file is
 * read or written: sinks run without their outputs, a sink that always writes (a writer) is
 * stood in for by one that counts its rows, and a sink that wraps another (`plot`) runs the
 * one it wraps.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Batch, Column } from '../core/batch.ts';
import { allocArray, isBigIntDType } from '../core/dtype.ts';
import type { DType } from '../core/dtype.ts';
import { isSluiceError, SluiceError, wrapError } from '../core/errors.ts';
import type { Schema } from '../core/schema.ts';
import type {
  OpenSource,
  ReadOptions,
  SinkInstance,
  SinkStage,
  SourceStage,
  WrappedSink,
} from '../core/stage.ts';
import { preparePipeline } from './prepare.ts';
import { executePipeline } from './runner.ts';
import { withoutOutputs } from './sharded.ts';
import type { Expectation, InlineColumn, SpecTest } from './spec-test-shape.ts';
import type { PipelinePlan, StagePlan } from './validate.ts';

export interface TestOutcome {
  readonly name: string;
  readonly passed: boolean;
  /** What did not hold: the sink, the path, the expected and the actual value. */
  readonly failures: readonly string[];
}

/** Runs every test of the plan in order. */
export async function runSpecTests(plan: PipelinePlan, signal?: AbortSignal): Promise<TestOutcome[]> {
  const outcomes: TestOutcome[] = [];
  for (const test of plan.tests ?? []) outcomes.push(await runSpecTest(plan, test, signal));
  return outcomes;
}

export async function runSpecTest(
  plan: PipelinePlan,
  test: SpecTest,
  signal?: AbortSignal,
): Promise<TestOutcome> {
  let results: unknown[];
  try {
    const prepared = await preparePipeline(testPlan(plan, test), {
      signal: signal ?? new AbortController().signal,
      log: () => {},
    });
    const report = await executePipeline(prepared, { workers: 1, overwrite: true, signal });
    results = report.sinks.map((s) => s.result);
  } catch (error) {
    const e = isSluiceError(error) ? error : wrapError(error, test.name);
    return { name: test.name, passed: false, failures: [`the run failed: ${e.code}: ${e.message}`] };
  }
  const failures = test.expect.flatMap((e) => {
    const index = sinkIndex(plan, e.sink);
    const failure = checkExpectation(results[index], e);
    return failure ? [`${sinkLabel(plan.sinks[index], index)}: ${failure}`] : [];
  });
  return { name: test.name, passed: failures.length === 0, failures };
}

function sinkIndex(plan: PipelinePlan, sink: string | number): number {
  return typeof sink === 'number' ? sink : plan.sinks.findIndex((s) => s.name === sink);
}

function sinkLabel(sink: StagePlan<SinkStage>, index: number): string {
  return `sinks[${index}] (${sink.stage.name}${sink.name ? ` ${sink.name}` : ''})`;
}

/** The plan with the inline input as its source and every sink without its outputs. */
export function testPlan(plan: PipelinePlan, test: SpecTest): PipelinePlan {
  const sampleRate = plan.source.params.sampleRate;
  const chunkRows = Number(plan.source.params.chunkRows ?? 1 << 20);
  const schema: Schema = {
    columns: Object.entries(test.input).map(([name, c]) => ({ name, dtype: dtypeOf(c), width: widthOf(c) })),
    ...(typeof sampleRate === 'number' ? { sampleRate } : {}),
    source: `(test: ${test.name})`,
  };
  const columns = Object.fromEntries(
    Object.entries(test.input).map(([name, c]) => [name, toColumn(name, c)]),
  );
  return {
    ...plan,
    inputs: { files: [], many: false },
    source: {
      ...plan.source,
      stage: inlineSource(plan.source.stage.name, schema, columns, chunkRows),
      params: {},
    },
    sinks: plan.sinks.map(withoutFiles),
  };
}

const dtypeOf = (c: InlineColumn): DType => (Array.isArray(c) ? 'float64' : c.dtype);
const widthOf = (c: InlineColumn): number => (Array.isArray(c) ? 1 : c.width);

function toColumn(name: string, c: InlineColumn): Column {
  const values = Array.isArray(c) ? c : c.values;
  const width = widthOf(c);
  const dtype = dtypeOf(c);
  if (values.length % width !== 0) {
    throw new SluiceError(
      'SPEC_INVALID',
      `input ${name}: ${values.length} values are not whole rows of ${width}`,
    );
  }
  const data = allocArray(dtype, values.length);
  values.forEach((v, i) => (data[i] = isBigIntDType(dtype) ? BigInt(v) : v));
  return { data, width };
}

/** A source stage that delivers `columns` in batches of chunkRows new rows, with the look-back asked. */
function inlineSource(
  name: string,
  schema: Schema,
  columns: Record<string, Column>,
  chunkRows: number,
): SourceStage {
  const counts = Object.entries(columns).map(([n, c]) => [n, c.data.length / c.width] as const);
  const rows = counts[0]?.[1] ?? 0;
  const uneven = counts.find(([, n]) => n !== rows);
  if (uneven) {
    throw new SluiceError(
      'SPEC_INVALID',
      `input ${uneven[0]} has ${uneven[1]} rows, ${counts[0][0]} ${rows}`,
      {
        hint: 'Give every input column the same number of rows.',
      },
    );
  }
  const source: OpenSource = {
    path: '(inline input)',
    format: name,
    schema,
    rows,
    bytes: 0,
    backend: 'read',
    details: {},
    async *batches(options: ReadOptions) {
      for (let start = 0; start < rows; start += chunkRows) {
        options.signal?.throwIfAborted();
        const from = Math.max(0, start - options.overlap);
        const to = Math.min(rows, start + chunkRows);
        const sliced = Object.fromEntries(
          Object.entries(columns).map(([n, c]) => [
            n,
            { data: c.data.subarray(from * c.width, to * c.width), width: c.width },
          ]),
        );
        options.onProgress?.({ rows: to, bytes: 0 });
        yield {
          schema,
          columns: sliced,
          rows: to - from,
          start: from,
          history: start - from,
        } satisfies Batch;
      }
    },
    close: async () => {},
  };
  return { kind: 'source', name, params: z.object({}), inputs: () => [], create: async () => source };
}

/**
 * The sink run in `sink`'s place: the sink it wraps, if any, without its outputs; a sink that
 * cannot run without them (a writer) is stood in for by one that counts rows, as a writer's
 * result does (`{ rows }`), after the same checks.
 */
function withoutFiles(sink: StagePlan<SinkStage>): StagePlan<SinkStage> {
  let layer: WrappedSink = sink;
  for (let depth = 0; layer.stage.wraps && depth < 4; depth++) layer = layer.stage.wraps(layer.params);
  const params = withoutOutputs(layer.params, layer.stage.outputs(layer.params));
  const parsed = layer.stage.params.safeParse(params);
  if (parsed.success) return { ...sink, stage: layer.stage, params: parsed.data as Record<string, unknown> };
  const counter: SinkStage = {
    kind: 'sink',
    name: sink.stage.name,
    params: z.object({}).loose(),
    outputs: () => [],
    check: (_p, schema) => sink.stage.check?.(sink.params, schema),
    create: () => countRows(),
  };
  return { ...sink, stage: counter, params: {} };
}

function countRows(): SinkInstance<{ rows: number }> {
  let rows = 0;
  return {
    outputs: [],
    write: (batch) => void (rows += batch.rows - batch.history),
    finish: async () => ({ rows }),
    abort: async () => {},
  };
}

/** What is wrong, or undefined when the expectation holds. */
export function checkExpectation(result: unknown, e: Expectation): string | undefined {
  const { found, value } = valueAt(result, e.path);
  const where = e.path === '' ? 'the result' : e.path;
  if (!found) return `${where}: no such path in the result (it has ${keysOf(value)})`;
  if (e.within) {
    const [lo, hi] = e.within;
    const n = toNumber(value);
    if (n !== undefined && n >= lo && n <= hi) return undefined;
    return `${where}: expected within [${lo}, ${hi}], got ${show(value)}`;
  }
  if (sameValue(value, e.equals)) return undefined;
  return `${where}: expected ${show(e.equals)}, got ${show(value)}`;
}

/** `columns.value.mean`, `counts.0` or `counts[0]` inside a result. */
export function valueAt(result: unknown, path: string): { found: boolean; value: unknown } {
  let value = result;
  const parts = path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((p) => p !== '');
  for (const part of parts) {
    if (value === null || typeof value !== 'object' || !(part in value)) return { found: false, value };
    value = (value as Record<string, unknown>)[part];
  }
  return { found: true, value };
}

function keysOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return 'no keys there';
  const keys = Object.keys(value);
  return Array.isArray(value) ? `${keys.length} items` : `keys ${keys.slice(0, 12).join(', ') || '(none)'}`;
}

/** Numbers, and JSON's stand-ins for them ("NaN", "Infinity", a big integer's digits). */
function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (value === 'NaN') return NaN;
  return undefined;
}

/** Deep equality; a number equals its JSON stand-in ("NaN" equals NaN). */
function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number') {
    const n = toNumber(actual);
    return n !== undefined && (n === expected || (Number.isNaN(n) && Number.isNaN(expected)));
  }
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => sameValue(actual[i], e))
    );
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return false;
    const keys = Object.keys(expected);
    return (
      keys.length === Object.keys(actual).length &&
      keys.every((k) =>
        sameValue((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k]),
      )
    );
  }
  return isDeepStrictEqual(actual, expected);
}

function show(value: unknown): string {
  const text =
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
