/**
 * Helpers for the parquet, arrow and csv source tests: read a source into whole columns (new
 * rows of every batch, joined), check each batch's look-back against the rows before it, write
 * a table with a sink stage, and compare columns with a golden's JSON values (floats as
 * numbers, NaN/null as null, 64-bit integers as strings).
 */
import { expect } from 'vitest';
import type { Batch } from '../../src/core/batch.ts';
import type { TypedArray } from '../../src/core/dtype.ts';
import { Registry } from '../../src/core/registry.ts';
import type { OpenSource, ReadOptions, SinkStage } from '../../src/core/stage.ts';
import { sinks } from '../../src/sinks/index.ts';
import type { Table } from '../support/batches.ts';
import { makeBatch, schemaOf } from '../support/batches.ts';
import { runSink } from '../support/run-sink.ts';
import type { makeWriterTable } from '../support/writer-table.ts';
import { openSource, readAll } from './source-harness.ts';

export interface ReadResult {
  readonly source: OpenSource;
  readonly batches: readonly Batch[];
  /** Every column's new rows, in order. */
  readonly columns: Record<string, (number | bigint)[]>;
}

/** Opens source `type` with `params`, reads every batch and joins the new rows of each column. */
export async function readColumns(
  type: string,
  params: Record<string, unknown>,
  options: ReadOptions = { overlap: 0 },
): Promise<ReadResult> {
  const source = await openSource(type, params);
  const batches = await readAll(source, options);
  const columns: Record<string, (number | bigint)[]> = {};
  for (const c of source.schema.columns) columns[c.name] = [];
  for (const batch of batches) {
    for (const c of source.schema.columns) {
      const { data, width } = batch.columns[c.name];
      const values = data.subarray(batch.history * width) as TypedArray;
      for (let i = 0; i < values.length; i++) columns[c.name].push(values[i]);
    }
  }
  return { source, batches, columns };
}

/** The columns read back equal the writer table's (support/writer-table.ts), every one. */
export function expectWriterColumns(
  columns: ReadResult['columns'],
  table: ReturnType<typeof makeWriterTable>,
): void {
  expect(columns.f32).toEqual(Array.from(table.f32));
  expect(columns.i32).toEqual(Array.from(table.i32));
  expect(columns.i64).toEqual(Array.from(table.i64));
  expect(columns.u8).toEqual(Array.from(table.u8));
  expect(columns.f64).toEqual(Array.from(table.f64));
  expect(columns.seg).toEqual(Array.from(table.seg.data));
}

/** Each batch's look-back rows equal the rows the batches before it delivered. */
export function expectHistoryConsistent(result: ReadResult, firstRow: number): void {
  for (const batch of result.batches) {
    for (const c of result.source.schema.columns) {
      const { data, width } = batch.columns[c.name];
      const start = (batch.start - firstRow) * width;
      if (start < 0) continue;
      const values: (number | bigint)[] = [];
      for (let i = 0; i < data.length; i++) values.push(data[i]);
      expect(values).toEqual(result.columns[c.name].slice(start, start + batch.rows * width));
    }
  }
}

/** JSON golden values as they should read: null → NaN, '±Infinity' → ±Infinity, strings → bigint. */
export function fromGolden(values: readonly unknown[], bigint = false): (number | bigint)[] {
  return values.map((v) => {
    if (v === null) return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    if (bigint) return BigInt(v as string);
    return typeof v === 'string' ? Number(v) : (v as number);
  });
}

/** Float32 rounding of golden doubles (a float32 column's JSON holds its exact value as a double). */
export const fround = (values: (number | bigint)[]) => values.map((v) => Math.fround(Number(v)));

const sinkRegistry = new Registry(sinks);

/** Writes `table` with sink `type` in batches of `batchRows`. */
export async function writeTableWith(
  type: string,
  table: Table,
  params: Record<string, unknown>,
  batchRows: number,
  sampleRate?: number,
): Promise<void> {
  const stage = sinkRegistry.get(type, 'sink') as SinkStage;
  const schema = { ...schemaOf(table), ...(sampleRate ? { sampleRate } : {}) };
  const whole = makeBatch(table, { schema });
  const batches: Batch[] = [];
  for (let first = 0; first < whole.rows; first += batchRows) {
    const end = Math.min(whole.rows, first + batchRows);
    const columns = Object.fromEntries(
      Object.entries(whole.columns).map(([name, { data, width }]) => [
        name,
        { data: data.subarray(first * width, end * width), width },
      ]),
    );
    batches.push({ schema, columns, rows: end - first, start: first, history: 0 });
  }
  await runSink(stage, params, schema, batches, { rows: whole.rows });
}
